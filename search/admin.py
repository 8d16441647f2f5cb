from django.contrib import admin

from .models import IndexQueue


@admin.register(IndexQueue)
class IndexQueueAdmin(admin.ModelAdmin):
    """Read-only: staff see what waits for the index worker and why something keeps failing."""

    list_display = ("__str__", "enqueued_at", "attempts", "next_attempt_at", "short_error")
    search_fields = ("=statement_pk", "last_error")
    readonly_fields = [f.name for f in IndexQueue._meta.fields]
    ordering = ("-attempts", "enqueued_at")

    @admin.display(description="last error")
    def short_error(self, obj):
        return (obj.last_error.splitlines() or [""])[-1][:120]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
