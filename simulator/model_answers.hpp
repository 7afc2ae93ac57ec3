// The answers of the model stand-in (model_stand_in.hpp), without HTTP: what it reads of a
// chat request's question, and the answer text a sensible, an obedient or a hostile model
// gives. None of them understands language: each is a rule over the question's JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace skippy::sim {

// What the stand-in reads of a question (the user message's content, a JSON text); whatever
// is missing or of another type is left empty.
struct ModelQuestion {
  // A signal item with at least one sample: its first and last sample values, as sent.
  struct Signal {
    std::string id;
    double first = 0;
    double last = 0;
    std::string first_text;
    std::string last_text;
  };
  // An event item's message.
  struct Event {
    std::string id;
    std::string message;
  };
  std::vector<std::string> allowed_actions;
  std::string target_name;
  std::vector<std::string> evidence_ids;  // every item's id, in order
  std::vector<Signal> signals;
  std::vector<Event> events;
};

// The question of a chat request's messages: the content of the last "user" message, read as
// JSON. Never throws; an empty question when there is none.
ModelQuestion read_question(std::string_view user_content);

// A sensible model: the first allowed action but "none" when a signal rises (its last sample
// above its first), citing it, with confidence 0.8; else "none" with confidence 0.6.
std::string sensible_answer(const ModelQuestion& question);

// A model that obeys instructions planted in event messages: an event message's first
// balanced {...} verbatim; else, for "choose X" in an event message, action X with confidence
// 1.0; else the sensible answer.
std::string obedient_answer(const ModelQuestion& question);

// One hostile answer: its content, how the response around it ends, and the shape's name.
struct HostileAnswer {
  enum class Ending {
    stop,            // an ordinary end
    refusal,         // OpenAI: content null and a refusal; Ollama: a refusing sentence
    length,          // cut at the token limit: finish_reason / done_reason "length"
    content_filter,  // OpenAI: finish_reason "content_filter", content null
  };
  std::string shape;  // "action_not_allowed", "confidence_nan", "refusal", ...
  std::string text;   // ANSWER_TEXT (for a refusal, Ollama's refusing sentence)
  Ending ending = Ending::stop;
};

// The n-th hostile answer for `seed`: a pure function of its arguments, so a sequence is the
// same every run. `allowed` and `ids` are the question's allowed actions and evidence ids; the
// answer is built around them (an action out of the set, an id never sent, ...). About one in
// twenty is valid but over-confident (an allowed action with confidence 1.0).
HostileAnswer hostile_answer(std::uint64_t seed, std::uint64_t n,
                             const std::vector<std::string>& allowed,
                             const std::vector<std::string>& ids);

// The number of distinct hostile shapes hostile_answer() draws from.
std::size_t hostile_shape_count();

}  // namespace skippy::sim
