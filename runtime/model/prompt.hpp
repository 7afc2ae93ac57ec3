// What a model is asked, built from an ai.analyze() question: fixed instructions (the system
// message, versioned), the evidence as a JSON document of data items with their ids (the user
// message; event text is JSON string data, never spliced into instructions), and the answer's
// JSON schema, whose `action` enum is exactly the site's allowed actions and "none". The
// request bodies of both APIs are built here too (docs/ai.md shows them, from goldens).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/engine/advisor.hpp"
#include "runtime/model/redaction.hpp"

namespace skippy::model {

enum class Backend { Ollama, OpenAI };
std::string_view backend_name(Backend backend);  // ollama, openai
std::optional<Backend> parse_backend(std::string_view name);

// Changes whenever the instructions, the document's shape or the schema change: it is part
// of the cache key, and of every audit record.
inline constexpr std::string_view kPromptVersion = "skippy-advice/1";

// How much of each series a prompt carries: evidence, not a dump.
inline constexpr std::size_t kSignalSamples = 30;
inline constexpr std::size_t kPeerSamples = 10;
inline constexpr std::size_t kPeersSent = 16;

struct Prompt {
  std::string system;                // the instructions
  std::string question;              // the evidence document (JSON), as sent
  std::string schema;                // the answer's JSON schema
  std::vector<std::string> choices;  // the allowed actions, then "none"
  std::vector<std::string> ids;      // the evidence ids sent
  // Every item sent, in the cluster's own words (not redacted), for the audit record of an
  // answer that cites it.
  std::vector<engine::CitedEvidence> items;
};

// Builds the prompt for `question`; with a redactor, every name is learnt by it and sent as
// its placeholder (without one, names are sent as they are: `--ai.redact=false`).
Prompt build_prompt(const engine::AdviceQuestion& question, Redactor* redactor);

struct Generation {
  std::string model;
  std::int64_t max_tokens = 300;  // of the answer
  std::int64_t seed = 42;         // with temperature 0: as repeatable as the server allows
};

// POST /api/chat
std::string ollama_body(const Prompt& prompt, const Generation& generation);
// POST /v1/chat/completions
std::string openai_body(const Prompt& prompt, const Generation& generation);
std::string request_body(Backend backend, const Prompt& prompt, const Generation& generation);
// The path under the configured URL: /api/chat or /v1/chat/completions.
std::string_view request_path(Backend backend);
// The full URL of the chat endpoint under `url` (a trailing /v1 is not repeated).
std::string endpoint(Backend backend, std::string_view url);

// FNV-1a over `parts`, as 16 hex digits: the cache key and the audit's digests.
std::string digest_hex(std::initializer_list<std::string_view> parts);

}  // namespace skippy::model
