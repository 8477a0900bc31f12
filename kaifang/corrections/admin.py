from kaifang.core.admin import ScopedReadOnlyAdmin, site
from kaifang.corrections.models import CorrectionRequest


class CorrectionRequestAdmin(ScopedReadOnlyAdmin):
    list_display = ["reference", "unit", "period", "state", "requested_by_name", "decided_by_name", "decided_at"]
    list_filter = ["state"]
    search_fields = ["reference", "unit__name"]


site.register(CorrectionRequest, CorrectionRequestAdmin)
