"""The chase in the API: the monitoring office chases chosen units of a circular now."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from chasing import sweep
from circulars import policy
from circulars.policy import get_circular_for_user
from core.api import APIView


class ChaseSerializer(serializers.Serializer):
    units = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        allow_empty=False,  # its message; min_length states the same rule in the schema
        min_length=1,
        max_length=5000,
    )


class Chase(APIView):
    """The monitoring office chases chosen units of a circular now."""

    @extend_schema(
        request=ChaseSerializer, responses=inline_serializer("Chased", {"queued": serializers.IntegerField()})
    )
    def post(self, request, pk):
        circular = get_circular_for_user(request.user, pk)
        if not policy.may_chase(request.user, circular):
            raise PermissionDenied(_("Only the monitoring office of this circular chases its units."))
        data = ChaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        queued = sweep.chase_now(circular=circular, unit_ids=data.validated_data["units"], by=request.user)
        return Response({"queued": queued})
