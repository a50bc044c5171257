from rest_framework import serializers

from units.models import Unit, UnitGroup


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "short_name", "abbreviation", "kind", "parent", "active"]
        read_only_fields = fields


class UnitGroupSerializer(serializers.ModelSerializer):
    units = serializers.SerializerMethodField()

    class Meta:
        model = UnitGroup
        fields = ["id", "code", "name", "units"]

    def get_units(self, group) -> list[int]:
        # Read from the prefetch the view makes: no query per group.
        return [unit.pk for unit in group.units.all()]
