"""pjsip.conf of the portal's phones: an endpoint, an auth and an AOR each."""

from __future__ import annotations

from switchboard.pbx.render.routing import permission_context
from switchboard.pbx.render.spec import PhoneSpec, SiteSpec, TrunkSpec
from switchboard.pbx.render.text import join_sections, section

PHONES_CONTEXT = "sb-phones"
TRUNKS_CONTEXT = "sb-from-trunks"


def phone_sections(phone: PhoneSpec) -> list[str]:
    name = phone.extension
    callerid = f'"{phone.display_name}" <{name}>' if phone.display_name else f"<{name}>"
    endpoint = [
        ("type", "endpoint"),
        ("context", permission_context(phone.dial_classes)),
        ("disallow", "all"),
        ("allow", "ulaw,alaw,g722"),
        ("aors", name),
        ("callerid", callerid),
        ("direct_media", "no"),
        ("rtp_symmetric", "yes"),
        ("force_rport", "yes"),
        ("rewrite_contact", "yes"),
        ("send_pai", "yes"),
        ("device_state_busy_at", "1"),
    ]
    if phone.call_groups:
        endpoint.append(("call_group", ",".join(str(g) for g in sorted(set(phone.call_groups)))))
    if phone.pickup_groups:
        groups = ",".join(str(g) for g in sorted(set(phone.pickup_groups)))
        endpoint.append(("pickup_group", groups))
    if phone.line:
        endpoint.append(("set_var", f"SB_LINE={phone.line}"))  # read by sb-outbound
    aor = [("type", "aor"), ("max_contacts", "1"), ("remove_existing", "yes")]
    auth: list[tuple[str, str]] = []
    if phone.fixed_address:
        # A phone at a fixed address does not register: Asterisk knows where it is and
        # recognises its calls by that address. It is not asked whether it is there, so
        # that it is reachable at once rather than "unavailable" until a first check.
        aor.append(("contact", f"sip:{name}@{phone.fixed_address}"))
    else:
        endpoint.append(("auth", name))
        auth = [
            ("type", "auth"),
            ("auth_type", "userpass"),
            ("username", name),
            ("password", phone.secret),
        ]
        # A registered phone is asked every minute whether it is there (online / offline).
        aor.append(("qualify_frequency", "60"))
    sections = [section(name, endpoint, f"Phone {name}")]
    if auth:
        sections.append(section(name, auth))
    sections.append(section(name, aor))
    if phone.fixed_address:
        identify = [("type", "identify"), ("endpoint", name), ("match", phone.fixed_address)]
        sections.append(section(name, identify))
    return sections


def trunk_endpoint(trunk: TrunkSpec) -> str:
    return f"trunk-{trunk.name}"


def trunk_sections(trunk: TrunkSpec) -> list[str]:
    name = trunk_endpoint(trunk)
    auth_name = f"{name}-auth"
    endpoint = [
        ("type", "endpoint"),
        ("context", TRUNKS_CONTEXT),
        ("disallow", "all"),
        ("allow", "ulaw,alaw,g722"),
        ("aors", name),
        ("direct_media", "no"),
        ("rtp_symmetric", "yes"),
        ("force_rport", "yes"),
        ("send_pai", "yes"),
    ]
    if trunk.username:
        endpoint += [("outbound_auth", auth_name), ("from_user", trunk.username)]
    sections = [section(name, endpoint, f"External line {trunk.name}")]
    if trunk.username:
        auth = [
            ("type", "auth"),
            ("auth_type", "userpass"),
            ("username", trunk.username),
            ("password", trunk.password),
        ]
        sections.append(section(auth_name, auth))
    aor = [("type", "aor"), ("contact", f"sip:{trunk.host}"), ("qualify_frequency", "60")]
    sections.append(section(name, aor))
    if trunk.register and trunk.username:
        host = trunk.host
        registration = [
            ("type", "registration"),
            ("server_uri", f"sip:{host}"),
            ("client_uri", f"sip:{trunk.username}@{host}"),
            ("outbound_auth", auth_name),
            ("retry_interval", "60"),
            ("forbidden_retry_interval", "600"),
            ("expiration", "3600"),
        ]
        sections.append(section(name, registration))
    sections.append(
        section(name, [("type", "identify"), ("endpoint", name), ("match", trunk.host)])
    )
    return sections


def render_pjsip(site: SiteSpec) -> str:
    sections: list[str] = []
    for phone in sorted(site.phones, key=lambda p: p.extension):
        sections.extend(phone_sections(phone))
    for trunk in sorted(site.trunks, key=lambda t: t.name):
        sections.extend(trunk_sections(trunk))
    return join_sections(sections)
