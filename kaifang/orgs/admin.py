from kaifang.core.admin import ScopedReadOnlyAdmin, site
from kaifang.orgs.models import OrgUnit


class OrgUnitAdmin(ScopedReadOnlyAdmin):
    list_display = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


site.register(OrgUnit, OrgUnitAdmin)
