from django.utils import timezone
from rest_framework import serializers

from circulars.models import Circular, DocumentType, NumberingRegister
from core.dates import EARLIEST
from core.errors import Invalid
from registers.books import register_year


class RegisterRestartSerializer(serializers.Serializer):
    start_at = serializers.IntegerField(min_value=1, max_value=999_999, help_text="The next number the register gives")
    note = serializers.CharField(required=False, allow_blank=True, max_length=255, default="")


class RegisterSerializer(serializers.ModelSerializer):
    next_number = serializers.SerializerMethodField()

    class Meta:
        model = NumberingRegister
        fields = ["kind", "year", "last_number", "next_number"]

    def get_next_number(self, register) -> int:
        return register.last_number + 1


class NoSwapsSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1, max_value=9999)


def this_year() -> int:
    return timezone.localdate().year


class RegisterYearField(serializers.IntegerField):
    """The year of a register (``books.register_year``): this year when not given, a
    whole number from 1945 to this year otherwise."""

    def __init__(self, **kwargs):
        # Each serializer instance builds its fields afresh (DRF deep-copies them with
        # their arguments), so the schema's maximum moves on 1 January with the rule.
        super().__init__(required=False, default=this_year, min_value=EARLIEST.year, max_value=this_year(), **kwargs)

    def to_internal_value(self, data):
        try:
            return register_year(data)
        except Invalid as error:
            raise serializers.ValidationError(str(error.message)) from None


class RegisterYearQuery(serializers.Serializer):
    year = RegisterYearField(help_text="From 1945 to this year; this year unless given")


class OutgoingEntrySerializer(serializers.Serializer):
    """One line of the outgoing register (Decree 30/2020, Appendix IV)."""

    id = serializers.IntegerField(source="circular.pk")
    number = serializers.IntegerField(source="circular.number", help_text="Số")
    reference = serializers.CharField(source="circular.reference", help_text="Số, ký hiệu văn bản")
    issued_on = serializers.DateField(source="circular.issued_on", help_text="Ngày tháng văn bản")
    document_type = serializers.ChoiceField(choices=DocumentType.choices, source="circular.document_type")
    subject = serializers.CharField(source="circular.subject", help_text="Trích yếu nội dung")
    type_and_subject = serializers.CharField(help_text="Tên loại và trích yếu nội dung văn bản")
    signer_name = serializers.CharField(help_text="Người ký")
    recipients = serializers.ListField(child=serializers.CharField(), help_text="Nơi nhận văn bản")
    kept_by = serializers.CharField(help_text="Đơn vị, người nhận bản lưu")
    copies = serializers.IntegerField(help_text="Số lượng bản")
    transferred_on = serializers.DateField(allow_null=True, help_text="Ngày chuyển: the day it was distributed")
    status = serializers.ChoiceField(choices=Circular.Status.choices, source="circular.status")
    note = serializers.CharField(help_text="Ghi chú")
