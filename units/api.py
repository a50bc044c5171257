from core.api import ListAPIView
from units.models import Unit, UnitGroup
from units.serializers import UnitGroupSerializer, UnitSerializer


class UnitList(ListAPIView):
    """Every unit; any signed-in user may read the organisation."""

    serializer_class = UnitSerializer
    queryset = Unit.objects.order_by("sort_order", "name", "id")


class UnitGroupList(ListAPIView):
    serializer_class = UnitGroupSerializer
    queryset = UnitGroup.objects.prefetch_related("units").order_by("sort_order", "name", "id")
