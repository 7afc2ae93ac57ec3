// The model behind ai.analyze() as `skippy run`'s --ai.* flags (and the config file's `ai:`)
// give it: checked, with the API key read from its file (the key is kept only in the
// settings, which send it as a header and never print it).
#pragma once

#include <string>

#include "agent/config/run_options.hpp"
#include "runtime/model/model_advisor.hpp"

namespace skippy::agent {

enum class AiSetup {
  Deterministic,  // --ai.backend none: the deterministic analyzer alone
  Model,          // `out` holds the model's settings
  Invalid,        // `error` says why
};

AiSetup model_settings(const AiFlags& flags, model::ModelSettings& out, std::string& error);

}  // namespace skippy::agent
