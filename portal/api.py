"""The token endpoint and /me."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.api import APIView, TextField
from portal import lockout
from portal.tokens import ExpiringTokenAuthentication, token_for
from units.models import Unit
from units.roles import roles_of

# --- Tokens and /me ---------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    # No username is longer than its column: a longer one is refused before any lookup
    # (django-axes would otherwise try to record it and fail on PostgreSQL).
    username = TextField(max_length=150)
    password = TextField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)


class TokenView(APIView):
    """Exchange a username and password for an API token (POST); revoke the token the
    request is made with (DELETE)."""

    authentication_classes = [ExpiringTokenAuthentication]
    permission_classes = [AllowAny]
    # No request-rate throttle: colleagues behind one office address log in as usual.
    # Guessing is limited by failures instead: per username and address (django-axes)
    # and per address across usernames (portal.lockout).

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request):
        if lockout.address_locked(request):
            return Response({"detail": lockout.message()}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request, username=data.validated_data["username"], password=data.validated_data["password"])
        if user is None:
            return Response({"detail": _("Wrong username or password.")}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"token": token_for(user).key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        if request.auth is None:
            raise NotAuthenticated(_("Send the token to revoke in the Authorization header."))
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(source="get_full_name")
    roles = serializers.ListField(child=serializers.CharField())
    units = MeUnitSerializer(many=True)


class MeView(APIView):
    """Who the caller is: roles and units."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        user.roles = roles_of(user)
        user.units = Unit.objects.for_user(user)
        return Response(MeSerializer(user).data)
