"""The account: which API and user, and a Session that talks to the data source with a cached token and sites.

The keyring is read only when the token must be renewed; the sites are discovered once and kept in the store.
"""

from __future__ import annotations

import os

from glowline.data import credentials
from glowline.data.endpoint import DEFAULT_URL, check_base_url
from glowline.data.models import Site, Token
from glowline.data.source import Source, SourceFactory, open_source
from glowline.data.store import SeriesStore, default_store
from glowline.errors import NotFound, NotLoggedIn


def api_url(config: dict[str, object] | None = None) -> str:
    """GLOWLINE_API_URL, else the config file's api_url, else the URL saved at login, else the real API."""
    if config is None:
        from glowline import config as config_file
        from glowline.status import settings

        config = settings.load_fast()
        if config is None:
            config = config_file.load()
    url = os.environ.get("GLOWLINE_API_URL") or config.get("api_url")
    if not url:
        account = credentials.load_account() or {}
        url = account.get("api_url") or DEFAULT_URL
    return check_base_url(str(url))


def username() -> str:
    """GLOWLINE_USERNAME, else the username saved at login."""
    env = os.environ.get("GLOWLINE_USERNAME")
    if env:
        return env
    account = credentials.load_account()
    if not account or not account.get("username"):
        raise NotLoggedIn(credentials.NOT_LOGGED_IN)
    return account["username"]


def identity(config: dict[str, object] | None = None) -> dict[str, str]:
    """Whose data this is: stored entries of another account or API are never used."""
    return {"api_url": api_url(config), "username": username()}


class Session:
    """An authenticated source for one account, renewing the cached token through the keyring only when needed."""

    def __init__(
        self,
        url: str,
        user: str,
        password: str | None = None,
        store: SeriesStore | None = None,
        source: SourceFactory = open_source,
    ) -> None:
        self.url = url
        self.user = user
        self._password = password  # handed over on a pipe by a status line's background refresh
        self.store = store if store is not None else default_store()
        self._open = source
        cached = credentials.load_token(user, url)
        self.source: Source = source(url, Token(*cached) if cached else None, self._reauth, None)
        self.identity = {"api_url": url, "username": user}

    def _reauth(self) -> Token:
        if self._password is not None:
            user, password = self.user, self._password
        else:
            user, password = credentials.resolve_credentials()
        login = self._open(self.url, None, None, None)
        try:
            token = login.authenticate(user, password)
        finally:
            login.close()
        credentials.save_token(self.user, self.url, token.token, token.exp)
        return token

    def sites(self) -> list[Site]:
        """Discovered sites: from the store, or from the source once."""
        cached = self.store.load_sites(self.identity)
        if cached is not None:
            return cached
        sites = self.source.sites()
        self.store.save_sites(self.identity, sites)
        return sites

    def forget_sites(self) -> None:
        """The account's sites may have changed: discover them again next time."""
        self.store.clear_sites()

    def close(self) -> None:
        self.source.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_session(password: str | None = None, config: dict[str, object] | None = None) -> Session:
    """A Session for the configured account (GLOWLINE_USERNAME or the saved login)."""
    return Session(api_url(config), username(), password)


def pick_site(sites: list[Site], wanted: str, classifier: str) -> Site:
    """``--site`` by name (case-insensitive) or veId; by default the first site that has the resource."""
    if wanted:
        for site in sites:
            if wanted == site.ve_id or wanted.lower() == site.name.lower():
                return site
        names = ", ".join(repr(s.name) for s in sites) or "none"
        raise NotFound(f"no site {wanted!r} in this account (sites: {names})")
    for site in sites:
        if any(r.classifier == classifier for r in site.resources):
            return site
    raise NotFound(f"no site in this account has a {classifier} resource")
