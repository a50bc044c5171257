from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularJSONAPIView

from acknowledgements import api as ack_api
from acknowledgements import register_api
from chasing import api as chasing_api
from circulars import api as circulars_api
from dashboard import api as dashboard_api
from portal import api, views
from portal.forms import LoginForm
from registers import api as registers_api
from units import api as units_api

api_v1 = [
    path("auth/token", api.TokenView.as_view(), name="api-token"),
    path("me", api.MeView.as_view(), name="api-me"),
    path("units/", units_api.UnitList.as_view(), name="api-units"),
    path("unit-groups/", units_api.UnitGroupList.as_view(), name="api-unit-groups"),
    path("units/<slug:key>/register/", register_api.UnitRegister.as_view(), name="api-unit-register"),
    path(
        "units/<slug:key>/register/export.xlsx", register_api.UnitRegisterXlsx.as_view(), name="api-unit-register-xlsx"
    ),
    path("incoming/", circulars_api.IncomingListCreate.as_view(), name="api-incoming"),
    path("incoming/<int:pk>/", circulars_api.IncomingDetail.as_view(), name="api-incoming-detail"),
    path("outgoing/", registers_api.OutgoingRegister.as_view(), name="api-outgoing"),
    path("outgoing/export.xlsx", registers_api.OutgoingRegisterXlsx.as_view(), name="api-outgoing-xlsx"),
    path("circulars/", circulars_api.CircularListCreate.as_view(), name="api-circulars"),
    path("circulars/<int:pk>/", circulars_api.CircularDetail.as_view(), name="api-circular"),
    path("circulars/<int:pk>/submit", circulars_api.CircularSubmit.as_view(), name="api-circular-submit"),
    path("circulars/<int:pk>/approve", circulars_api.CircularApprove.as_view(), name="api-circular-approve"),
    path("circulars/<int:pk>/return", circulars_api.CircularReturn.as_view(), name="api-circular-return"),
    # Withdrawing an issued circular recalls it, which reaches the units (acknowledgements).
    path("circulars/<int:pk>/withdraw", ack_api.Withdraw.as_view(), name="api-circular-withdraw"),
    path("circulars/<int:pk>/recall", ack_api.Recall.as_view(), name="api-circular-recall"),
    path("circulars/<int:pk>/issue", circulars_api.CircularIssue.as_view(), name="api-circular-issue"),
    path("circulars/<int:pk>/pdf", circulars_api.CircularPdf.as_view(), name="api-circular-pdf"),
    path("verify/<str:code>", circulars_api.VerifyView.as_view(), name="api-verify"),
    path(
        "circulars/<int:pk>/approved-draft",
        circulars_api.CircularApprovedDraft.as_view(),
        name="api-circular-approved-draft",
    ),
    path(
        "circulars/<int:pk>/signed-draft", circulars_api.CircularSignedDraft.as_view(), name="api-circular-signed-draft"
    ),
    path("signatures/validate", circulars_api.SignaturesValidate.as_view(), name="api-signatures-validate"),
    path("circulars/<int:pk>/distribute", ack_api.Distribute.as_view(), name="api-circular-distribute"),
    path("circulars/<int:pk>/deliveries/", dashboard_api.CircularDeliveries.as_view(), name="api-circular-deliveries"),
    path("circulars/<int:pk>/chase", chasing_api.Chase.as_view(), name="api-circular-chase"),
    path("circulars/<int:pk>/compliance", dashboard_api.Compliance.as_view(), name="api-circular-compliance"),
    path(
        "circulars/<int:pk>/compliance/export.xlsx", dashboard_api.ComplianceXlsx.as_view(), name="api-compliance-xlsx"
    ),
    path("circulars/<int:pk>/compliance/export.csv", dashboard_api.ComplianceCsv.as_view(), name="api-compliance-csv"),
    path(
        "circulars/<int:pk>/compliance/report.pdf",
        dashboard_api.ComplianceReportPdf.as_view(),
        name="api-compliance-pdf",
    ),
    path("compliance/units/", dashboard_api.UnitsLeague.as_view(), name="api-compliance-units"),
    path("compliance/incoming/", dashboard_api.IncomingCompliance.as_view(), name="api-compliance-incoming"),
    path(
        "compliance/incoming/export.xlsx",
        dashboard_api.IncomingComplianceXlsx.as_view(),
        name="api-compliance-incoming-xlsx",
    ),
    path("calendar/due", circulars_api.CalendarDue.as_view(), name="api-calendar-due"),
    path("calendar/no-swaps", registers_api.CalendarNoSwaps.as_view(), name="api-calendar-no-swaps"),
    path("registers/<str:kind>/restart", registers_api.RegisterRestart.as_view(), name="api-register-restart"),
    path("incoming/<int:pk>/present", ack_api.IncomingPresent.as_view(), name="api-incoming-present"),
    path("incoming/<int:pk>/assign", ack_api.IncomingAssign.as_view(), name="api-incoming-assign"),
    path("assignments/", ack_api.AssignmentList.as_view(), name="api-assignments"),
    path("assignments/<int:pk>/", ack_api.AssignmentDetail.as_view(), name="api-assignment"),
    path("assignments/<int:pk>/notes", ack_api.AssignmentNotes.as_view(), name="api-assignment-notes"),
    path("assignments/<int:pk>/complete", ack_api.AssignmentComplete.as_view(), name="api-assignment-complete"),
    path("inbox/", ack_api.Inbox.as_view(), name="api-inbox"),
    path("deliveries/<int:pk>/", ack_api.DeliveryDetail.as_view(), name="api-delivery"),
    path("deliveries/<int:pk>/acknowledge", ack_api.Acknowledge.as_view(), name="api-delivery-acknowledge"),
    path("deliveries/<int:pk>/refuse", ack_api.Refuse.as_view(), name="api-delivery-refuse"),
    path("deliveries/<int:pk>/reports", ack_api.SubmitReport.as_view(), name="api-delivery-reports"),
    path("reports/<int:pk>/accept", ack_api.AcceptReport.as_view(), name="api-report-accept"),
    path("reports/<int:pk>/return", ack_api.ReturnReport.as_view(), name="api-report-return"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="api-schema"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("circulars.urls")),
    path("", include("registers.urls")),
    path("", include("acknowledgements.urls")),
    path("", include("dashboard.urls")),
    # The language buttons are on public pages too (login, verification, one-click link).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]

admin.site.site_header = _("Circular portal administration")
admin.site.site_title = _("Circular portal")

handler500 = "portal.views.server_error"
handler404 = "portal.views.not_found"
