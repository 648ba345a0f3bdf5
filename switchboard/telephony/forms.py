"""Forms of the telephony domain: PBX connection settings, checked against the PBX on save."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from asgiref.sync import async_to_sync
from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from switchboard.core.forms import RequestModelForm
from switchboard.telephony.models import PbxServer

SECRET_FIELDS = ("ami_secret", "ari_password")


class PbxServerForm(RequestModelForm):
    """A PBX's connection settings. Saving first tries to log in; a refusal stops the save.

    Secrets are never sent to the browser: their inputs are empty and an empty input keeps the
    stored secret.
    """

    # ARI is usually plain HTTP on the PBX's LAN: a URL typed without scheme means http.
    ari_url = forms.URLField(
        label=_("ARI URL"),
        required=False,
        assume_scheme="http",
        help_text=_("e.g. http://pbx:8088/ari"),
    )

    class Meta:
        model = PbxServer
        fields = [
            "name",
            "host",
            "ami_port",
            "ami_user",
            "ami_secret",
            "ari_url",
            "ari_user",
            "ari_password",
            "config_dir",
            "sounds_dir",
            "log_dir",
            "recordings_dir",
            "voicemail_dir",
            "enabled",
        ]
        widgets = {
            "ami_secret": forms.PasswordInput(render_value=False),
            "ari_password": forms.PasswordInput(render_value=False),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in SECRET_FIELDS:
                self.fields[name].required = False
                self.fields[name].help_text = _("Empty: the stored secret stays.")

    def clean_config_dir(self) -> str:
        value = self.cleaned_data.get("config_dir", "").strip()
        if not value:
            return ""
        path = Path(value)
        if not path.is_absolute():
            raise forms.ValidationError(_("Give an absolute path, e.g. /etc/asterisk."))
        if not path.is_dir():
            raise forms.ValidationError(_("This directory does not exist on the portal's host."))
        if not os.access(path, os.W_OK):
            raise forms.ValidationError(_("The portal may not write in this directory."))
        return str(path)

    def clean_sounds_dir(self) -> str:
        value = self.cleaned_data.get("sounds_dir", "").strip()
        if not value:
            return ""
        path = Path(value)
        if not path.is_absolute():
            raise forms.ValidationError(
                _("Give an absolute path, e.g. /usr/share/asterisk/sounds.")
            )
        if not path.is_dir():
            raise forms.ValidationError(_("This directory does not exist on the portal's host."))
        if not os.access(path, os.W_OK):
            raise forms.ValidationError(_("The portal may not write in this directory."))
        return str(path)

    def _readable_dir(self, name: str, example: str) -> str:
        value = self.cleaned_data.get(name, "").strip()
        if not value:
            return ""
        path = Path(value)
        if not path.is_absolute():
            raise forms.ValidationError(
                _("Give an absolute path, e.g. %(example)s.") % {"example": example}
            )
        if not path.is_dir():
            raise forms.ValidationError(_("This directory does not exist on the portal's host."))
        if not os.access(path, os.R_OK | os.X_OK):
            raise forms.ValidationError(_("The portal may not read this directory."))
        return str(path)

    def clean_log_dir(self) -> str:
        return self._readable_dir("log_dir", "/var/log/asterisk")

    def clean_recordings_dir(self) -> str:
        return self._readable_dir("recordings_dir", "/var/spool/asterisk/monitor")

    def clean_voicemail_dir(self) -> str:
        return self._readable_dir("voicemail_dir", "/var/spool/asterisk/voicemail")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk:
            for name in SECRET_FIELDS:
                if not cleaned.get(name):
                    cleaned[name] = getattr(PbxServer.objects.get(pk=self.instance.pk), name)
        if self.errors:
            return cleaned
        if cleaned.get("ari_url") and not (cleaned.get("ari_user") and cleaned.get("ari_password")):
            raise forms.ValidationError(gettext("An ARI URL needs an ARI user and password."))
        self.check_connection(cleaned)
        return cleaned

    def check_connection(self, cleaned: dict[str, Any]) -> None:
        """Log in to the AMI (and the ARI when given) with the new settings, or refuse them."""
        from switchboard.telephony.ami.client import check_login as check_ami
        from switchboard.telephony.ami.errors import AmiError
        from switchboard.telephony.ari.client import check_login as check_ari
        from switchboard.telephony.ari.errors import AriError

        try:
            self.version = async_to_sync(check_ami)(
                cleaned["host"], cleaned["ami_port"], cleaned["ami_user"], cleaned["ami_secret"]
            )
        except AmiError as error:
            raise forms.ValidationError(
                gettext("The AMI login failed: %(error)s") % {"error": error}, code="ami"
            ) from error
        if cleaned.get("ari_url"):
            try:
                async_to_sync(check_ari)(
                    cleaned["ari_url"], cleaned["ari_user"], cleaned["ari_password"]
                )
            except AriError as error:
                raise forms.ValidationError(
                    gettext("The ARI login failed: %(error)s") % {"error": error}, code="ari"
                ) from error

    def save(self, commit: bool = True) -> PbxServer:
        server: PbxServer = super().save(commit=False)
        for name in SECRET_FIELDS:
            setattr(server, name, self.cleaned_data[name])
        server.version = getattr(self, "version", server.version)[:100]
        server.save()
        return server
