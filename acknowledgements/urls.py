from django.urls import path

from acknowledgements import dashboard_views, views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("deliveries/<int:pk>/", views.delivery_detail, name="delivery-detail"),
    path("deliveries/<int:pk>/acknowledge", views.delivery_acknowledge, name="delivery-acknowledge"),
    path("deliveries/<int:pk>/refuse", views.delivery_refuse, name="delivery-refuse"),
    path("deliveries/<int:pk>/report/", views.delivery_report, name="delivery-report"),
    # The dashboard's versions answer htmx in place and hand every other request to views.
    path("reports/<int:pk>/accept", dashboard_views.report_accept, name="report-accept"),
    path("reports/<int:pk>/return", dashboard_views.report_return, name="report-return"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read", views.notifications_read, name="notifications-read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification-open"),
    path("circulars/<int:pk>/deliveries/", dashboard_views.circular_deliveries, name="circular-deliveries"),
    path("circulars/<int:pk>/distribute", views.circular_distribute, name="circular-distribute"),
    # The compliance dashboard.
    path("dashboard/", dashboard_views.overview, name="dashboard"),
    path("dashboard/units/", dashboard_views.units_league, name="dashboard-units"),
    path("dashboard/units/export.xlsx", dashboard_views.units_league_xlsx, name="dashboard-units-xlsx"),
    path("dashboard/units/export.csv", dashboard_views.units_league_csv, name="dashboard-units-csv"),
    path("circulars/<int:pk>/chase", dashboard_views.circular_chase, name="circular-chase"),
    path(
        "circulars/<int:pk>/deliveries/<int:delivery_pk>/report",
        dashboard_views.circular_report_panel,
        name="circular-report-panel",
    ),
    path("circulars/<int:pk>/export.xlsx", dashboard_views.circular_export_xlsx, name="circular-export-xlsx"),
    path("circulars/<int:pk>/export.csv", dashboard_views.circular_export_csv, name="circular-export-csv"),
    path("circulars/<int:pk>/report.pdf", dashboard_views.circular_report_pdf, name="circular-report-pdf"),
    # Public: the one-click link in the email (it opens a confirmation page; only its POST acknowledges).
    path("ack/<str:token>/", views.ack_link, name="ack-link"),
]
