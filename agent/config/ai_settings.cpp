#include "agent/config/ai_settings.hpp"

#include "agent/config/settings_reader.hpp"
#include "base/literals.hpp"

namespace skippy::agent {

AiSetup model_settings(const AiFlags& flags, model::ModelSettings& out, std::string& error) {
  if (flags.backend == "none") return AiSetup::Deterministic;
  auto invalid = [&](std::string why) {
    error = std::move(why);
    return AiSetup::Invalid;
  };
  auto backend = model::parse_backend(flags.backend);
  if (!backend)
    return invalid("--ai.backend: `" + flags.backend +
                   "` is not a backend: ollama, openai or none");
  out.backend = *backend;
  out.url = flags.url;
  if (out.url.empty()) {
    if (*backend == model::Backend::OpenAI)
      return invalid("--ai.backend openai needs --ai.url (such as https://api.openai.com)");
    out.url = "http://127.0.0.1:11434";
  }
  if (!out.url.starts_with("http://") && !out.url.starts_with("https://"))
    return invalid("--ai.url: `" + out.url + "` is not an http:// or https:// URL");
  if (flags.model.empty()) return invalid("--ai.backend " + flags.backend + " needs --ai.model");
  out.generation.model = flags.model;
  if (!flags.api_key_file.empty() &&
      !settings::first_line(flags.api_key_file, "API key file", out.api_key, error))
    return invalid("--ai.api-key-file: " + error);
  auto timeout = base::parse_duration(flags.timeout);
  if (!timeout || *timeout <= 0)
    return invalid("--ai.timeout: `" + flags.timeout +
                   "` is not a positive duration (such as 10s)");
  out.timeout_ms = *timeout;
  auto ttl = base::parse_duration(flags.cache_ttl);
  if (!ttl || *ttl < 0)
    return invalid("--ai.cache-ttl: `" + flags.cache_ttl + "` is not a duration (such as 10m)");
  out.cache_ttl_ms = *ttl;
  if (flags.max_calls_per_hour < 0 || flags.max_tokens_per_hour < 0)
    return invalid("--ai.max-calls-per-hour and --ai.max-tokens-per-hour cannot be negative");
  out.budget.calls_per_hour = flags.max_calls_per_hour;
  out.budget.tokens_per_hour = flags.max_tokens_per_hour;
  out.redact = flags.redact;
  return AiSetup::Model;
}

}  // namespace skippy::agent
