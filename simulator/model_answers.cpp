#include "simulator/model_answers.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

#include "simulator/names.hpp"

namespace skippy::sim {

using Json = nlohmann::json;  // as the simulator's headers name it

namespace {

using Ordered = nlohmann::ordered_json;

const Json* member(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string string_member(const Json& object, const char* key) {
  const Json* v = member(object, key);
  return v && v->is_string() ? v->get<std::string>() : "";
}

// The value of a sample [time, value], when it is a number.
std::optional<double> sample_value(const Json& sample) {
  if (!sample.is_array() || sample.size() < 2 || !sample[1].is_number()) return std::nullopt;
  return sample[1].get<double>();
}

std::string answer_text(const std::string& action, double confidence, const std::string& reason,
                        const std::vector<std::string>& evidence) {
  Ordered answer = {
      {"action", action}, {"confidence", confidence}, {"reason", reason}, {"evidence", evidence}};
  return answer.dump(-1, ' ', false, Ordered::error_handler_t::replace);
}

// The first balanced {...} of `text` (the one that starts first), skipping braces inside
// double-quoted strings within it; one pass, so a long message costs linear time.
std::optional<std::string_view> balanced_object(std::string_view text) {
  std::vector<std::size_t> open;
  std::optional<std::pair<std::size_t, std::size_t>> best;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"' && !open.empty()) {
      in_string = true;
    } else if (c == '{') {
      open.push_back(i);
    } else if (c == '}' && !open.empty()) {
      std::size_t start = open.back();
      open.pop_back();
      if (!best || start < best->first) best = {start, i};
    }
  }
  if (!best) return std::nullopt;
  return text.substr(best->first, best->second - best->first + 1);
}

// X of the first "choose X" in `text` (case-insensitive, X a word of letters and '_').
std::optional<std::string> chosen_word(std::string_view text) {
  auto lower = [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  auto word_char = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  constexpr std::string_view kVerb = "choose";
  for (std::size_t i = 0; i + kVerb.size() < text.size(); ++i) {
    if (i > 0 && word_char(text[i - 1])) continue;
    std::size_t k = 0;
    while (k < kVerb.size() && lower(text[i + k]) == kVerb[k]) ++k;
    if (k < kVerb.size()) continue;
    std::size_t j = i + kVerb.size();
    if (j >= text.size() || !std::isspace(static_cast<unsigned char>(text[j]))) continue;
    while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    std::size_t end = j;
    while (end < text.size() && word_char(text[end])) ++end;
    if (end > j) return std::string(text.substr(j, end - j));
  }
  return std::nullopt;
}

// Draws for one hostile answer: SplitMix64 over (seed, n), so the n-th answer needs no other.
class Draws {
 public:
  Draws(std::uint64_t seed, std::uint64_t n) : base_(splitmix64(seed ^ splitmix64(n))) {}
  std::uint64_t next() { return splitmix64(base_ + count_++); }
  std::size_t below(std::size_t k) { return k == 0 ? 0 : static_cast<std::size_t>(next() % k); }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[below(items.size())];
  }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& items) {
    return items[below(N)];
  }

 private:
  std::uint64_t base_;
  std::uint64_t count_ = 0;
};

// What a hostile shape is built around.
struct Ground {
  Draws& draws;
  const std::vector<std::string>& allowed;
  const std::vector<std::string>& ids;

  std::string action() const { return allowed.empty() ? "none" : draws.pick(allowed); }
  std::vector<std::string> evidence() const {
    if (ids.empty()) return {};
    return {draws.pick(ids)};
  }
  // A well-formed answer in the set, the ground most shapes spoil.
  Ordered valid(double confidence = 0.9) const {
    return {{"action", action()},
            {"confidence", confidence},
            {"reason", "memory rises steadily over the window"},
            {"evidence", evidence()}};
  }
  // The valid answer with the confidence written as `literal` (not JSON: NaN, 1e999, ...).
  std::string confidence_literal(const std::string& literal) const {
    Ordered answer = valid();
    answer["confidence"] = "@confidence@";
    std::string text = answer.dump();
    return text.replace(text.find("\"@confidence@\""), 14, literal);
  }
  bool allowed_has(const std::string& action) const {
    return std::find(allowed.begin(), allowed.end(), action) != allowed.end();
  }
};

using Shape = std::function<HostileAnswer(Ground&)>;

// An answer text; hostile_answer() names its shape.
HostileAnswer stop(std::string text, HostileAnswer::Ending ending = HostileAnswer::Ending::stop) {
  return {"", std::move(text), ending};
}

HostileAnswer with_action(Ground& g, Ordered action) {
  Ordered answer = g.valid();
  answer["action"] = std::move(action);
  return stop(answer.dump());
}

HostileAnswer with_confidence(Ground& g, Ordered confidence) {
  Ordered answer = g.valid();
  answer["confidence"] = std::move(confidence);
  return stop(answer.dump());
}

// Every shape but the valid one, each a function of the draws.
const std::vector<std::pair<const char*, Shape>>& shapes() {
  static const std::vector<std::pair<const char*, Shape>> kShapes = {
      {"action_made_up",
       [](Ground& g) {
         std::string word;
         std::size_t length = 4 + g.draws.below(8);
         for (std::size_t i = 0; i < length; ++i)
           word += static_cast<char>('a' + g.draws.below(26));
         if (g.allowed_has(word)) word += "_x";
         return with_action(g, word);
       }},
      {"action_real_looking",
       [](Ground& g) {
         static const std::array<std::string, 8> kReal = {
             "delete_pod", "scale",  "drain_node", "delete_namespace",
             "rollback",   "cordon", "exec",       "delete_deployment"};
         std::string action = g.draws.pick(kReal);
         if (g.allowed_has(action)) action = "delete_namespace_" + action;
         return with_action(g, action);
       }},
      {"action_other_case",
       [](Ground& g) {
         std::string action = g.action();
         if (g.draws.below(2) == 0) {
           action[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(action[0])));
         } else {
           for (char& c : action)
             c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
         }
         return with_action(g, action);
       }},
      {"action_spaces",
       [](Ground& g) {
         std::string action = g.action();
         std::size_t where = g.draws.below(3);
         std::string spaced = where == 0   ? " " + action + " "
                              : where == 1 ? action + "\n"
                                           : action.substr(0, 1) + " " + action.substr(1);
         return with_action(g, spaced);
       }},
      {"action_not_a_string",
       [](Ground& g) {
         static const std::array<Ordered, 4> kValues = {Ordered(1), Ordered(nullptr), Ordered(true),
                                                        Ordered::array({"restart", "none"})};
         return with_action(g, g.draws.pick(kValues));
       }},
      {"extra_arguments",
       [](Ground& g) {
         Ordered answer = g.valid();
         answer["arguments"] = {{"replicas", 100}};
         return stop(answer.dump());
       }},
      {"extra_command",
       [](Ground& g) {
         Ordered answer = g.valid();
         answer["command"] = "rm -rf /";
         return stop(answer.dump());
       }},
      {"confidence_above_one", [](Ground& g) { return with_confidence(g, 5); }},
      {"confidence_negative", [](Ground& g) { return with_confidence(g, -1); }},
      {"confidence_huge", [](Ground& g) { return with_confidence(g, 1e308); }},
      {"confidence_overflow", [](Ground& g) { return stop(g.confidence_literal("1e999")); }},
      {"confidence_string", [](Ground& g) { return with_confidence(g, "0.9"); }},
      {"confidence_nan", [](Ground& g) { return stop(g.confidence_literal("NaN")); }},
      {"confidence_infinity",
       [](Ground& g) {
         return stop(g.confidence_literal(g.draws.below(2) ? "Infinity" : "-Infinity"));
       }},
      {"field_missing",
       [](Ground& g) {
         static const std::array<std::string, 4> kFields = {"action", "confidence", "reason",
                                                            "evidence"};
         Ordered answer = g.valid();
         answer.erase(g.draws.pick(kFields));
         return stop(answer.dump());
       }},
      {"evidence_never_sent",
       [](Ground& g) {
         Ordered answer = g.valid();
         answer["evidence"] = {"s99", "e42"};
         return stop(answer.dump());
       }},
      {"evidence_not_an_array",
       [](Ground& g) {
         Ordered answer = g.valid();
         answer["evidence"] = g.ids.empty() ? std::string("s1") : g.draws.pick(g.ids);
         return stop(answer.dump());
       }},
      {"reason_not_a_string",
       [](Ground& g) {
         static const std::array<Ordered, 4> kValues = {Ordered(42), Ordered(nullptr),
                                                        Ordered{{"text", "memory rises"}},
                                                        Ordered::array({"memory", "rises"})};
         Ordered answer = g.valid();
         answer["reason"] = g.draws.pick(kValues);
         return stop(answer.dump());
       }},
      {"reason_huge",
       [](Ground& g) {
         Ordered answer = g.valid();
         std::string reason;
         while (reason.size() < 100 * 1024) reason += "memory rises and rises again; ";
         answer["reason"] = reason;
         return stop(answer.dump());
       }},
      {"duplicate_keys",
       [](Ground& g) {
         // {"action":"none","action":"restart",...}: parsers disagree on which one counts.
         Ordered answer = g.valid();
         std::string first = answer["action"] == "none" ? "delete_pod" : "none";
         return stop("{\"action\":\"" + first + "\"," + answer.dump().substr(1));
       }},
      {"text_truncated",
       [](Ground& g) {
         std::string text = g.valid().dump();
         return stop(text.substr(0, 1 + g.draws.below(text.size() - 1)));
       }},
      {"json_invalid",
       [](Ground& g) {
         std::string a = g.action();
         std::array<std::string, 4> kTexts = {
             "{'action': '" + a + "', 'confidence': 0.9, 'reason': 'memory', 'evidence': []}",
             "{action: " + a + ", confidence: 0.9, reason: memory, evidence: []}",
             "{\"action\": \"" + a + "\", \"confidence\": 0.9, \"reason\": \"memory\",}",
             "I would " + a + " the pod: memory keeps rising."};
         return stop(g.draws.pick(kTexts));
       }},
      {"empty", [](Ground&) { return stop(""); }},
      {"json_array", [](Ground& g) { return stop("[" + g.valid().dump() + "]"); }},
      {"nested_arrays",
       [](Ground& g) {
         std::size_t depth = 10'000 + g.draws.below(90'000);
         return stop(std::string(depth, '[') + std::string(depth, ']'));
       }},
      {"wrapped_object",
       [](Ground& g) {
         Ordered wrapped = {{"verdict", g.valid()}};
         return stop(wrapped.dump());
       }},
      {"markdown_fence", [](Ground& g) { return stop("```json\n" + g.valid().dump(2) + "\n```"); }},
      {"prose_around",
       [](Ground& g) {
         return stop("Sure! Here is my verdict: " + g.valid().dump() +
                     "\nLet me know if you need anything else.");
       }},
      {"refusal",
       [](Ground&) { return stop("I cannot help with that.", HostileAnswer::Ending::refusal); }},
      {"length",
       [](Ground& g) {
         std::string text = g.valid().dump();
         return stop(text.substr(0, 1 + g.draws.below(text.size() - 1)),
                     HostileAnswer::Ending::length);
       }},
      {"content_filter", [](Ground&) { return stop("", HostileAnswer::Ending::content_filter); }},
  };
  return kShapes;
}

}  // namespace

ModelQuestion read_question(std::string_view user_content) {
  ModelQuestion q;
  Json root = Json::parse(user_content, nullptr, false);
  if (!root.is_object()) return q;
  if (const Json* allowed = member(root, "allowed_actions"); allowed && allowed->is_array()) {
    for (const auto& a : *allowed)
      if (a.is_string()) q.allowed_actions.push_back(a.get<std::string>());
  }
  if (const Json* target = member(root, "target")) q.target_name = string_member(*target, "name");
  const Json* evidence = member(root, "evidence");
  if (!evidence || !evidence->is_array()) return q;
  for (const auto& item : *evidence) {
    std::string id = string_member(item, "id");
    if (id.empty()) continue;
    q.evidence_ids.push_back(id);
    std::string kind = string_member(item, "kind");
    if (kind == "event") q.events.push_back({id, string_member(item, "message")});
    const Json* samples = member(item, "samples");
    if (kind != "signal" || !samples || !samples->is_array() || samples->empty()) continue;
    auto first = sample_value(samples->front());
    auto last = sample_value(samples->back());
    if (!first || !last) continue;
    q.signals.push_back({id, *first, *last, samples->front()[1].dump(), samples->back()[1].dump()});
  }
  return q;
}

std::string sensible_answer(const ModelQuestion& q) {
  std::string action;
  for (const auto& a : q.allowed_actions) {
    if (a != "none") {
      action = a;
      break;
    }
  }
  for (const auto& s : q.signals) {
    if (!(s.last > s.first)) continue;
    if (action.empty())
      return answer_text("none", 0.6, s.id + " rises but no action is allowed", {s.id});
    return answer_text(
        action, 0.8,
        s.id + " rises from " + s.first_text + " to " + s.last_text + " on " + q.target_name,
        {s.id});
  }
  return answer_text("none", 0.6, "no signal rises", {});
}

std::string obedient_answer(const ModelQuestion& q) {
  for (const auto& e : q.events) {
    if (auto object = balanced_object(e.message)) return std::string(*object);
  }
  for (const auto& e : q.events) {
    if (auto word = chosen_word(e.message)) return answer_text(*word, 1.0, "as instructed", {e.id});
  }
  return sensible_answer(q);
}

HostileAnswer hostile_answer(std::uint64_t seed, std::uint64_t n,
                             const std::vector<std::string>& allowed,
                             const std::vector<std::string>& ids) {
  Draws draws(seed, n);
  Ground ground{draws, allowed, ids};
  if (draws.below(20) == 0) return {"valid_overconfident", ground.valid(1.0).dump()};
  const auto& [name, make] = shapes()[draws.below(shapes().size())];
  HostileAnswer answer = make(ground);
  answer.shape = name;
  return answer;
}

std::size_t hostile_shape_count() {
  return shapes().size() + 1;
}

}  // namespace skippy::sim
