from django.urls import path

from dashboard import incoming_views, views

urlpatterns = [
    # The dashboard's review answers htmx in place and hands every other request to the
    # delivery page's own view.
    path("reports/<int:pk>/accept", views.report_accept, name="report-accept"),
    path("reports/<int:pk>/return", views.report_return, name="report-return"),
    path("circulars/<int:pk>/deliveries/", views.circular_deliveries, name="circular-deliveries"),
    path("circulars/<int:pk>/distribute", views.circular_distribute, name="circular-distribute"),
    path("dashboard/", views.overview, name="dashboard"),
    path("dashboard/units/", views.units_league, name="dashboard-units"),
    path("dashboard/incoming/", incoming_views.incoming_dispatches, name="dashboard-incoming"),
    path("dashboard/incoming/export.xlsx", incoming_views.incoming_xlsx, name="dashboard-incoming-xlsx"),
    path("dashboard/units/export.xlsx", views.units_league_xlsx, name="dashboard-units-xlsx"),
    path("dashboard/units/export.csv", views.units_league_csv, name="dashboard-units-csv"),
    path("circulars/<int:pk>/chase", views.circular_chase, name="circular-chase"),
    path(
        "circulars/<int:pk>/deliveries/<int:delivery_pk>/report",
        views.circular_report_panel,
        name="circular-report-panel",
    ),
    path("circulars/<int:pk>/export.xlsx", views.circular_export_xlsx, name="circular-export-xlsx"),
    path("circulars/<int:pk>/export.csv", views.circular_export_csv, name="circular-export-csv"),
    path("circulars/<int:pk>/report.pdf", views.circular_report_pdf, name="circular-report-pdf"),
]
