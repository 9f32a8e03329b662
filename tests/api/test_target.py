"""Target resolution: flags > environment > project file > preset, and the key's safety."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistctl.api.secret import Secret
from assistctl.api.target import Target, resolve_target
from assistctl.config.providers import LOOPBACK_KEY, PROVIDERS, resolve_provider
from assistctl.errors import ConfigError, UsageError
from assistctl.options import GlobalOptions

KEY = "sk-test-SECRET-1234567890"

_VARS = (
    "ASSISTCTL_BASE_URL",
    "OPENAI_BASE_URL",
    "ASSISTCTL_API_KEY",
    "OPENAI_API_KEY",
    "AIMLAPI_API_KEY",
    "LAPLAS_API_KEY",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_ENDPOINT",
    "OPENAI_API_VERSION",
    "ASSISTCTL_PROVIDER",
    "ASSISTCTL_LOCAL_STATE",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _VARS:
        monkeypatch.delenv(name, raising=False)


@dataclass(frozen=True)
class Project:
    """Stands in for project.ProjectConfig: any object with these optional attributes."""

    provider: str | None = None
    base_url: str | None = None
    api_version: str | None = None


def test_defaults_to_openai_with_openai_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    t = resolve_target(GlobalOptions())
    assert t.provider.name == "openai"
    assert t.base_url == "https://api.openai.com/v1"
    assert t.api_key is not None and t.api_key.reveal() == KEY
    assert t.key_source == "OPENAI_API_KEY"
    assert t.headers() == {"OpenAI-Beta": "assistants=v2"}
    assert t.display == "https://api.openai.com/v1 (openai)"
    assert t.query == ()


def test_base_url_precedence_flag_env_project_preset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    # The project file's URL is the preset's own documented one: the key may go there.
    project = Project(base_url="https://API.openai.com:443/v1/")
    assert resolve_target(GlobalOptions(), project).base_url == "https://API.openai.com:443/v1"
    project = Project(base_url="https://project.example/v1")
    monkeypatch.setenv("OPENAI_BASE_URL", "https://openai-env.example/v1/")
    t = resolve_target(GlobalOptions(), project)
    assert (t.base_url, t.base_url_source) == ("https://openai-env.example/v1", "OPENAI_BASE_URL")
    monkeypatch.setenv("ASSISTCTL_BASE_URL", "https://assistctl-env.example/v1")
    t = resolve_target(GlobalOptions(), project)
    assert t.base_url == "https://assistctl-env.example/v1"
    t = resolve_target(GlobalOptions(base_url="https://flag.example:8080/api/"), project)
    assert (t.base_url, t.base_url_source) == ("https://flag.example:8080/api", "--base-url")
    assert t.host == "flag.example:8080"


def test_key_precedence_assistctl_then_provider_then_openai(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    g = GlobalOptions(provider="aimlapi")
    monkeypatch.setenv("OPENAI_API_KEY", "k-openai")
    assert resolve_target(g).key_source == "OPENAI_API_KEY"
    monkeypatch.setenv("AIMLAPI_API_KEY", "k-aiml")
    t = resolve_target(g)
    assert t.key_source == "AIMLAPI_API_KEY" and t.api_key == Secret("k-aiml")
    monkeypatch.setenv("ASSISTCTL_API_KEY", "k-assistctl")
    assert resolve_target(g).key_source == "ASSISTCTL_API_KEY"
    t = resolve_target(GlobalOptions(provider="aimlapi", api_key="k-flag"))
    assert t.key_source == "--api-key" and t.api_key == Secret("k-flag")
    # click fills --api-key from ASSISTCTL_API_KEY: the message should name the variable.
    t = resolve_target(GlobalOptions(provider="aimlapi", api_key="k-assistctl"))
    assert t.key_source == "ASSISTCTL_API_KEY"


def test_laplas_reads_its_own_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAPLAS_API_KEY", KEY)
    monkeypatch.setenv("AIMLAPI_API_KEY", "not-this-one")
    t = resolve_target(GlobalOptions(provider="laplas"))
    assert t.base_url == "https://api.apilaplas.com"
    assert t.key_source == "LAPLAS_API_KEY"
    assert t.provider.path_prefix == ""


def test_provider_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert resolve_target(GlobalOptions(), Project(provider="laplas")).provider.name == "laplas"
    monkeypatch.setenv("ASSISTCTL_PROVIDER", "aimlapi")
    t = resolve_target(GlobalOptions(), Project(provider="laplas"))
    assert (t.provider.name, t.base_url) == ("aimlapi", "https://api.aimlapi.com")
    t = resolve_target(GlobalOptions(provider="openai"), Project(provider="laplas"))
    assert t.provider.name == "openai"


def test_provider_inferred_from_a_known_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    t = resolve_target(GlobalOptions(base_url="https://api.aimlapi.com"))
    assert t.provider.name == "aimlapi"
    assert t.display == "https://api.aimlapi.com (aimlapi)"
    t = resolve_target(GlobalOptions(base_url="https://proxy.example/v1"))
    assert t.provider.name == "openai"
    assert t.display == "https://proxy.example/v1 (openai-compatible)"


def test_preset_url_is_overridden_by_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIMLAPI_API_KEY", KEY)
    t = resolve_target(GlobalOptions(provider="aimlapi", base_url="https://mirror.example"))
    assert (t.provider.name, t.base_url) == ("aimlapi", "https://mirror.example")


def test_api_version_flag_over_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    t = resolve_target(GlobalOptions(), Project(api_version="v1"))
    assert t.api_version == "v1"
    assert t.headers() == {"OpenAI-Beta": "assistants=v1"}
    assert "assistants v1" in t.display
    t = resolve_target(GlobalOptions(api_version="v2"), Project(api_version="v1"))
    assert t.headers() == {"OpenAI-Beta": "assistants=v2"}


def test_bad_api_version_in_project_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with pytest.raises(ConfigError, match="v3"):
        resolve_target(GlobalOptions(), Project(api_version="v3"))


def test_unknown_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with pytest.raises(ConfigError, match=r"'anthropic'.*openai, aimlapi, laplas, azure, local"):
        resolve_target(GlobalOptions(), Project(provider="anthropic"))
    with pytest.raises(UsageError, match="--provider"):
        resolve_target(GlobalOptions(provider="nope"))


def test_azure_from_its_own_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://myres.openai.azure.com/")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    t = resolve_target(GlobalOptions(provider="azure"))
    assert t.base_url == "https://myres.openai.azure.com/openai"
    assert t.base_url_source == "AZURE_OPENAI_ENDPOINT"
    assert t.key_source == "AZURE_OPENAI_API_KEY"
    assert t.provider.auth_header == "api-key" and t.provider.auth_scheme == ""
    assert t.query == (("api-version", "2024-05-01-preview"),)
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-01-01-preview")
    t = resolve_target(GlobalOptions(provider="azure"))
    assert t.query == (("api-version", "2025-01-01-preview"),)
    assert "api-version 2025-01-01-preview" in t.display


def test_azure_inferred_from_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    t = resolve_target(GlobalOptions(base_url="https://other.openai.azure.com/openai"))
    assert t.provider.name == "azure"
    assert t.key_source == "AZURE_OPENAI_API_KEY"


def test_azure_without_resource_url_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
    with pytest.raises(UsageError, match="AZURE_OPENAI_ENDPOINT") as err:
        resolve_target(GlobalOptions(provider="azure"))
    assert "--base-url" in str(err.value)


def test_local_needs_no_key_and_ignores_remote_urls(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "https://api.openai.com/v1")
    t = resolve_target(GlobalOptions(provider="local"))
    assert t.is_local and t.api_key is None
    assert t.local_state == Path(".assistctl/local-state.json")
    assert t.display == "local emulator (state .assistctl/local-state.json)"
    assert t.base_url == "http://assistctl.local/v1"
    monkeypatch.setenv("ASSISTCTL_LOCAL_STATE", str(tmp_path / "env.json"))
    assert resolve_target(GlobalOptions(provider="local")).local_state == tmp_path / "env.json"
    g = GlobalOptions(provider="local", local_state=str(tmp_path / "flag.json"))
    assert resolve_target(g).local_state == tmp_path / "flag.json"


def test_local_state_relative_to_given_cwd(tmp_path: Path) -> None:
    t = resolve_target(GlobalOptions(provider="local"), cwd=tmp_path)
    assert t.local_state == tmp_path / ".assistctl" / "local-state.json"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example/v1",
        "api.openai.com/v1",
        "https://",
        "http:///v1",
        "https://user:pass@host.example/v1",
        "https://host.example/v1?api-version=1",
        "https://host.example:99999/v1",
        "https://{resource}.openai.azure.com/openai",
    ],
)
def test_bad_base_urls(url: str) -> None:
    with pytest.raises(UsageError, match="base URL from --base-url") as err:
        resolve_target(GlobalOptions(base_url=url, api_key=KEY))
    assert "user:pass" not in str(err.value)


def test_bad_base_url_from_env_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "localhost:8080")
    with pytest.raises(UsageError, match="OPENAI_BASE_URL"):
        resolve_target(GlobalOptions(api_key=KEY))


@pytest.mark.parametrize(
    ("provider", "variables"),
    [
        ("openai", "ASSISTCTL_API_KEY or OPENAI_API_KEY"),
        ("aimlapi", "ASSISTCTL_API_KEY, AIMLAPI_API_KEY or OPENAI_API_KEY"),
        ("laplas", "ASSISTCTL_API_KEY, LAPLAS_API_KEY or OPENAI_API_KEY"),
    ],
)
def test_missing_key_names_the_variables(provider: str, variables: str) -> None:
    with pytest.raises(UsageError) as err:
        resolve_target(GlobalOptions(provider=provider))
    assert variables in str(err.value)
    assert "--api-key" in str(err.value)


def test_blank_variables_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "  ")
    monkeypatch.setenv("OPENAI_BASE_URL", "")
    with pytest.raises(UsageError, match="No API key"):
        resolve_target(GlobalOptions())


def test_loopback_hosts_need_no_key_and_get_a_placeholder() -> None:
    """``assistctl emulator`` refuses a request without a key, as OpenAI does."""
    for url in ("http://127.0.0.1:8765/v1", "http://localhost:8765/v1", "http://[::1]:8765/v1"):
        t = resolve_target(GlobalOptions(base_url=url), env={})
        assert t.api_key == Secret(LOOPBACK_KEY)
        assert "placeholder" in t.key_hint()
    given = resolve_target(
        GlobalOptions(base_url="http://127.0.0.1:1/v1", api_key="sk-mine"), env={}
    )
    assert given.api_key == Secret("sk-mine"), "a key given is sent as is"


def test_the_key_never_shows_in_a_target() -> None:
    t = resolve_target(GlobalOptions(api_key=KEY), env={})
    for text in (repr(t), str(t), t.display, f"{t}", f"{t.api_key}", f"{t.api_key!r}"):
        assert KEY not in text
        assert "SECRET" not in text
    assert repr(t.api_key) == "'***'" and str(t.api_key) == "***"
    with pytest.raises(TypeError):
        pickle.dumps(t)


def test_every_provider_has_a_row_of_data() -> None:
    assert list(PROVIDERS) == ["openai", "aimlapi", "laplas", "azure", "local"]
    for p in PROVIDERS.values():
        assert p.differs and "\n" not in p.differs
    assert PROVIDERS["local"].key_variables == ()
    assert isinstance(resolve_target(GlobalOptions(provider="local")), Target)


def test_the_real_project_config_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistctl.config.project import ProjectConfig

    monkeypatch.setenv("LAPLAS_API_KEY", KEY)
    config = ProjectConfig(provider="laplas", base_url="https://mirror.example", api_version="v1")
    # The project file's own host gets the key only when the trusted side names it too.
    monkeypatch.setenv("ASSISTCTL_BASE_URL", "https://mirror.example")
    t = resolve_target(GlobalOptions(), config)
    assert (t.provider.name, t.base_url, t.api_version) == (
        "laplas",
        "https://mirror.example",
        "v1",
    )
    assert t.base_url_source == "ASSISTCTL_BASE_URL"
    config = ProjectConfig(provider="laplas", base_url="https://api.apilaplas.com/")
    t = resolve_target(GlobalOptions(), config, env={"LAPLAS_API_KEY": KEY})
    assert (t.base_url, t.base_url_source) == ("https://api.apilaplas.com", "assistctl.yaml")


def test_resolve_provider_needs_no_key_and_follows_the_same_precedence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert resolve_provider(GlobalOptions()).name == "openai"
    assert resolve_provider(GlobalOptions(), Project(provider="laplas")).name == "laplas"
    assert resolve_provider(GlobalOptions(), Project(base_url="https://api.aimlapi.com")).name == (
        "aimlapi"
    )
    monkeypatch.setenv("OPENAI_BASE_URL", "https://x.openai.azure.com/openai")
    assert resolve_provider(GlobalOptions()).name == "azure"
    monkeypatch.setenv("ASSISTCTL_PROVIDER", "aimlapi")
    assert resolve_provider(GlobalOptions(), Project(provider="laplas")).name == "aimlapi"
    assert resolve_provider(GlobalOptions(provider="local")).name == "local"


def test_local_provider_speaks_v2_only() -> None:
    with pytest.raises(UsageError, match="--flavor openai-v1"):
        resolve_target(GlobalOptions(provider="local", api_version="v1"))
    assert PROVIDERS["openai"].dialects == ("v2", "v1")


def test_an_environment_reads_its_key_and_url_from_the_variables_it_names() -> None:
    from assistctl.config.environments import TargetSettings

    prod = TargetSettings(
        provider="aimlapi",
        environment="prod",
        api_key_env="AIML_PROD_KEY",
        base_url_env="AIML_PROD_URL",
    )
    env = {
        "AIML_PROD_KEY": KEY,
        "AIML_PROD_URL": "https://eu.aimlapi.example",
        "AIMLAPI_API_KEY": "x",
    }
    t = resolve_target(GlobalOptions(), prod, env=env)
    assert (t.base_url, t.base_url_source) == ("https://eu.aimlapi.example", "AIML_PROD_URL")
    assert t.api_key is not None and t.api_key.reveal() == KEY
    assert t.key_source == "AIML_PROD_KEY"
    # The trusted side overrides for one run: flags, then ASSISTCTL_*.
    t = resolve_target(
        GlobalOptions(api_key="sk-flag", base_url="https://flag.example"), prod, env=env
    )
    assert (t.base_url, t.key_source) == ("https://flag.example", "--api-key")
    t = resolve_target(
        GlobalOptions(),
        prod,
        env={**env, "ASSISTCTL_API_KEY": "sk-env", "ASSISTCTL_BASE_URL": "https://env.example"},
    )
    assert (t.base_url, t.key_source) == ("https://env.example", "ASSISTCTL_API_KEY")


def test_an_environment_variable_that_is_unset_is_named_and_no_other_key_is_used() -> None:
    from assistctl.config.environments import TargetSettings

    prod = TargetSettings(provider="aimlapi", environment="prod", api_key_env="AIML_PROD_KEY")
    # Another environment's key in a generic variable must not be sent to prod.
    with pytest.raises(UsageError) as err:
        resolve_target(GlobalOptions(), prod, env={"AIMLAPI_API_KEY": KEY, "OPENAI_API_KEY": KEY})
    assert str(err.value) == (
        "Environment 'prod' reads its API key from the variable AIML_PROD_KEY (assistctl.yaml), "
        "which is not set; set it, or pass --api-key or --api-key-file."
    )
    url = TargetSettings(environment="prod", base_url_env="PROD_URL")
    with pytest.raises(UsageError, match="base URL from the variable PROD_URL"):
        resolve_target(GlobalOptions(), url, env={"OPENAI_API_KEY": KEY})
