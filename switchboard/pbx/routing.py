"""Call permissions, pickup groups, override rules and inbound kinds: database -> spec.

The dialling patterns of each call class are set per PBX in the web. A PBX with none uses the
defaults of the site's language (``DEFAULT_PATTERNS``: France for French, Russia for Russian,
international numbering otherwise), so a fresh site can call out at once; an administrator
loads them into the table (to change them) with one button.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from switchboard.pbx.models import DialPattern, InboundRoute, OverrideRule, Phone, split_list
from switchboard.pbx.models import time_ranges as parse_time_ranges
from switchboard.pbx.render.spec import (
    DialPatternSpec,
    OverrideRuleSpec,
    PhoneSpec,
    RoutingSpec,
)
from switchboard.telephony.models import PbxServer

# plan -> (class, pattern, description)
DEFAULT_PATTERNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "fr": (
        ("emergency", "112", "European emergency number"),
        ("emergency", "15", "SAMU"),
        ("emergency", "17", "Police"),
        ("emergency", "18", "Pompiers"),
        ("emergency", "114", "Urgences (SMS / fax)"),
        ("emergency", "115", "SAMU social"),
        ("emergency", "119", "Enfance en danger"),
        ("emergency", "191", "Urgence aéronautique"),
        ("emergency", "196", "Urgence en mer"),
        ("services", "_118XXX", "Renseignements"),
        ("services", "_3XXX", "Numéros courts"),
        ("services", "_08XXXXXXXX", "Numéros spéciaux"),
        ("local", "_0[1-5]XXXXXXXX", "Fixes"),
        ("local", "_09XXXXXXXX", "Fixes (box)"),
        ("mobile", "_0[67]XXXXXXXX", "Mobiles"),
        ("international", "_00X.", "International"),
        ("international", "_+X.", "International (+)"),
    ),
    "ru": (
        ("emergency", "112", "Единый номер экстренных служб"),
        ("emergency", "101", "Пожарная охрана"),
        ("emergency", "102", "Полиция"),
        ("emergency", "103", "Скорая помощь"),
        ("emergency", "104", "Газовая служба"),
        ("emergency", "01", "Пожарная охрана"),
        ("emergency", "02", "Полиция"),
        ("emergency", "03", "Скорая помощь"),
        ("emergency", "04", "Газовая служба"),
        ("services", "_8800XXXXXXX", "Бесплатные номера"),
        ("local", "_[2-7]XXXXXX", "Городские"),
        ("local", "_8[3-8]XXXXXXXXX", "Междугородние"),
        ("local", "_+7[3-8]XXXXXXXXX", "Междугородние (+7)"),
        ("mobile", "_89XXXXXXXXX", "Мобильные"),
        ("mobile", "_+79XXXXXXXXX", "Мобильные (+7)"),
        ("international", "_810X.", "Международные"),
        ("international", "_+[1-689]X.", "Международные (+)"),
    ),
    "intl": (
        ("emergency", "112", "Emergency"),
        ("emergency", "911", "Emergency"),
        ("emergency", "999", "Emergency"),
        ("international", "_+X.", "International (E.164)"),
        ("international", "_00X.", "International"),
    ),
}


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def default_plan() -> str:
    language = (settings.LANGUAGE_CODE or "").split("-")[0]
    return language if language in DEFAULT_PATTERNS else "intl"


def phone_spec(phone: Phone) -> PhoneSpec:
    group = phone.outgoing_group
    classes = group.dial_classes if group is not None else phone.dial_classes
    return PhoneSpec(
        phone.extension,
        phone.display_name,
        phone.sip_secret,
        phone.fixed_address,
        dial_classes=tuple(classes or ()),
        line=group.trunk.name if group is not None and group.trunk is not None else "",
        call_groups=tuple(sorted(g.number for g in phone.call_groups.all())),
        pickup_groups=tuple(sorted(g.number for g in phone.pickup_groups.all())),
    )


def inbound_kind(route: InboundRoute) -> str:
    if route.kind == InboundRoute.Kind.VOICEMAIL:
        return "voicemail"
    if route.kind == InboundRoute.Kind.EXTERNAL:
        return "external"
    return "internal"


def dial_pattern_specs(server: PbxServer) -> tuple[DialPatternSpec, ...]:
    rows = list(DialPattern.objects.filter(server=server).values_list("dial_class", "pattern"))
    if not rows:
        rows = [(c, p) for c, p, _d in DEFAULT_PATTERNS[default_plan()]]
    return tuple(DialPatternSpec(c, p) for c, p in sorted(rows))


def override_specs(server: PbxServer) -> tuple[OverrideRuleSpec, ...]:
    rules = OverrideRule.objects.filter(server=server, enabled=True).order_by("position", "pk")
    return tuple(
        OverrideRuleSpec(
            called=rule.called_number,
            name=rule.name,
            callers=tuple(split_list(rule.caller_numbers)),
            caller_regexes=tuple(r.strip() for r in rule.caller_regexes.splitlines() if r.strip()),
            times=tuple(parse_time_ranges(rule.time_ranges)),
            weekdays=tuple(d for d in WEEKDAYS if d in (rule.weekdays or [])),
            redirect=rule.redirect_number if rule.action == OverrideRule.Action.REDIRECT else "",
        )
        for rule in rules
    )


def routing_spec(server: PbxServer) -> RoutingSpec:
    return RoutingSpec(dial_patterns=dial_pattern_specs(server), overrides=override_specs(server))


def load_default_patterns(server: PbxServer, plan: str) -> int:
    """Add the patterns of ``plan`` the PBX does not have yet; returns how many were added."""
    added = 0
    with transaction.atomic():
        for dial_class, pattern, description in DEFAULT_PATTERNS[plan]:
            _row, created = DialPattern.objects.get_or_create(
                server=server,
                pattern=pattern,
                defaults={"dial_class": dial_class, "description": description},
            )
            added += created
    return added


def move_rule(rule: OverrideRule, direction: int) -> None:
    """Swap a rule with its neighbour above (-1) or below (+1) on the same PBX; the stored
    order is renumbered 10, 20, 30... so positions stay distinct."""
    with transaction.atomic():
        rules = list(
            OverrideRule.objects.select_for_update()
            .filter(server=rule.server_id)
            .order_by("position", "pk")
        )
        index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
        other = index + direction
        if 0 <= other < len(rules):
            rules[index], rules[other] = rules[other], rules[index]
        for number, item in enumerate(rules, 1):
            if item.position != number * 10:
                item.position = number * 10
                item.save(update_fields=["position"])


def next_position(server: PbxServer) -> int:
    last = OverrideRule.objects.filter(server=server).order_by("-position").first()
    return (last.position if last else 0) + 10
