"""The admin site as a whole. Every other app's admin module is imported before this one
(the portal is the last installed app)."""

from django.contrib import admin

from core.admin import bound_every_admin

bound_every_admin(admin.site)
