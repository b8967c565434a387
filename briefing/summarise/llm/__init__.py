"""(I/O) The LLM summariser: OpenAI, or any OpenAI-compatible server through `base_url`.

- `client`: the `openai` client, the response format the server accepts, the cache, usage;
- `schemas`: what each prompt must answer, as pydantic models and strict JSON schemas;
- `ask`: ask, check (through `briefing.check`), re-ask once; the one LLM failure path;
- `parts`: the one token packer, a story's entries in parts that fit a call;
- `packed`: stories packed into shared `story_batch` calls (the default);
- `per_story`: one `story_bullets` call per story, `story_merge` for a long story's parts;
- `plan`: the `briefing` call that orders and titles the sections when there was more than
  one call;
- `results`: what the strategies hand back, and the extractive fallback;
- `summariser`: `OpenAISummariser.execute`, which puts them together;
- `verify`: the optional verifier model, asked whether each checked bullet is supported;
- `settings`: what these need of the settings (`LLMSettings.from_settings`).
"""

from __future__ import annotations

from .settings import LLMSettings
from .summariser import OpenAISummariser
from .verify import Verifier

__all__ = ["LLMSettings", "OpenAISummariser", "Verifier"]
