// The safety journal: the state round-trips byte for byte, a restart neither repeats an action
// nor forgets a cooldown, and every torn or changed journal is reported with its byte and
// record, never read as if it were whole.
#define BOOST_TEST_MODULE journal
#include <unistd.h>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/safety/executor.hpp"
#include "runtime/safety/gatekeeper.hpp"
#include "runtime/safety/journal.hpp"
#include "tests/support/safety_support.hpp"

using namespace skippy;
using namespace skippy::testing;
using safety::ActionRequest;
using safety::ActionState;
using safety::ExecutionStatus;
using safety::Gatekeeper;

namespace {

const std::string kSeeds = std::string(SKIPPY_SOURCE_DIR) + "/tests/fuzz/journal_seeds/";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A directory of its own for each test, removed afterwards.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("skippy-journal-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

ActionRequest limited(std::string_view policy, std::string_view pod, std::int64_t fired_at) {
  auto r = pod_action(policy, pod, "restart", fired_at);
  r.limits.cooldown_target_ms = 10 * kMinute;
  r.limits.cooldown_policy_ms = kMinute;
  r.limits.max_actions = 5;
  r.limits.max_actions_window_ms = kHour;
  return with_id(r);
}

std::string outcome_of(Gatekeeper& g, const ActionRequest& r, std::int64_t now) {
  auto ds = g.decide(std::span(&r, 1), web_facts(), now);
  BOOST_REQUIRE(!ds.empty());
  return safety::outcome_text(ds.back());
}

std::string error_text(const safety::DecodedJournal& d) {
  return d.error ? d.error->message : "no error";
}

safety::SafetyConfig typical_config() {
  auto config = open_config();
  config.breaker.max_failures = 10;
  return config;
}

// At fixed times: actions that succeeded, failed, are in flight, retrying, pending and
// approved; cooldowns per target and per policy; rate windows; failures.
safety::SafetyState typical_state() {
  Gatekeeper g(typical_config());
  std::vector<ActionRequest> rs = {limited("alpha", "web-1", 0), limited("beta", "web-2", 0)};
  rs[1].target.labels = {{"app", "web"}, {"note", "quote\" backslash\\ tab\t é"}};
  rs[1].arguments.push_back({"to", "3"});
  rs[1] = with_id(rs[1]);
  g.decide(rs, web_facts(), 0);
  g.record_result(rs[0].id, ExecutionStatus::Success, kSecond);
  g.record_result(rs[1].id, ExecutionStatus::PermanentFailure, kSecond);
  std::vector<ActionRequest> later = {limited("alpha", "web-3", 2 * kMinute),
                                      limited("beta", "web-4", 2 * kMinute)};
  later[1].mode = bytecode::Mode::Manual;
  later[1] = with_id(later[1]);
  auto approved = limited("gamma", "web-5", 2 * kMinute);
  approved.approval_required = true;
  approved = with_id(approved);
  later.push_back(approved);
  auto retrying = limited("delta", "web-6", 2 * kMinute);
  later.push_back(retrying);
  g.decide(later, web_facts(), 2 * kMinute);
  g.approve(approved.id, 3 * kMinute);
  g.record_result(retrying.id, ExecutionStatus::TransientFailure, 3 * kMinute);
  return g.state();
}

}  // namespace

// ---- round trips ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_typical_journal_is_the_golden_one_and_reads_back_the_same) {
  auto state = typical_state();
  std::string bytes = safety::encode_journal(state);
  std::string golden_path = kSeeds + "typical.journal";
  if (std::getenv("SKIPPY_UPDATE_GOLDEN")) write_file(golden_path, bytes);
  BOOST_TEST(bytes == read_file(golden_path));
  auto decoded = safety::decode_journal(bytes);
  BOOST_REQUIRE_MESSAGE(decoded.ok(), error_text(decoded));
  BOOST_TEST(safety::encode_journal(decoded.state) == bytes);
  BOOST_TEST(decoded.state.actions.size() == 6u);
  BOOST_TEST(decoded.state.actions.at(limited("gamma", "web-5", 2 * kMinute).id).state ==
             ActionState::Approved);
  const auto& beta = *decoded.state.actions.at(limited("beta", "web-4", 2 * kMinute).id).request;
  BOOST_TEST(std::string(bytecode::mode_name(beta.mode)) == "manual");
  BOOST_TEST(beta.limits.max_actions_window_ms == kHour);
  // The action that failed at once is in the outcome ledger, which reads back the same.
  BOOST_TEST(decoded.state.outcomes.counts("beta", "restart", "Deployment/apps/web", kHour, kHour)
                 .failed == 1u);
  BOOST_TEST(decoded.state.outcomes.records == state.outcomes.records);
}

BOOST_AUTO_TEST_CASE(the_outcome_ledger_round_trips_and_its_records_are_checked) {
  safety::SafetyState state;
  auto r = limited("alpha", "web-1", 0);
  for (int i = 0; i < 3; ++i) state.outcomes.record(r, i != 1, i * kMinute, i * kMinute + kSecond);
  r.fired_at_ms = 10 * kMinute;
  BOOST_TEST(state.outcomes.note_firing(r, kHour) == 2u);  // the two healed ones recurred
  std::string bytes = safety::encode_journal(state);
  auto decoded = safety::decode_journal(bytes);
  BOOST_REQUIRE_MESSAGE(decoded.ok(), error_text(decoded));
  BOOST_TEST(decoded.state.outcomes.records == state.outcomes.records);
  BOOST_TEST(safety::encode_journal(decoded.state) == bytes);
  auto c =
      decoded.state.outcomes.counts("alpha", "restart", "Deployment/apps/web", kHour, 10 * kMinute);
  BOOST_TEST(c.attempts == 3u);
  BOOST_TEST(c.recurred == 2u);
  BOOST_TEST(c.failed == 1u);

  std::string bad = bytes;
  auto at = bad.find("\"result\":\"failed\"");
  BOOST_REQUIRE(at != std::string::npos);
  bad.replace(at, 17, "\"result\":\"great\"");
  safety::reseal_journal(bad);
  auto d = safety::decode_journal(bad);
  BOOST_TEST(error_text(d) == "unknown outcome \"great\" (healed, failed or recurred)");
  BOOST_TEST(d.error->offset == at + 9);
  // More outcomes for one key than the ledger ever keeps: not a journal this build wrote.
  safety::SafetyState full;
  for (std::size_t i = 0; i < safety::kOutcomesPerKey; ++i)
    full.outcomes.record(r, true, 0, static_cast<std::int64_t>(i));
  std::string many = safety::encode_journal(full);
  auto line = many.find("{\"record\":\"outcome\"");
  many.insert(line, many.substr(line, many.find('\n', line) + 1 - line));
  safety::reseal_journal(many);
  BOOST_TEST(error_text(safety::decode_journal(many)).starts_with("more than 32 outcomes"));
}

BOOST_AUTO_TEST_CASE(an_empty_state_round_trips) {
  std::string bytes = safety::encode_journal({});
  std::string golden_path = kSeeds + "empty.journal";
  if (std::getenv("SKIPPY_UPDATE_GOLDEN")) write_file(golden_path, bytes);
  BOOST_TEST(bytes == read_file(golden_path));
  auto decoded = safety::decode_journal(bytes);
  BOOST_REQUIRE(decoded.ok());
  BOOST_TEST(decoded.state.actions.empty());
}

BOOST_AUTO_TEST_CASE(requests_round_trip_exactly) {
  Gatekeeper g(open_config());
  auto r = pod_action("p", "web-1");
  r.mode = bytecode::Mode::Manual;
  r.target.labels = {{"a\"b", "line\nbreak"}, {"ctl", std::string("\x01\x1f", 2)}};
  r.target.annotations = {{"emoji", "\xF0\x9F\x90\xBF"}, {"empty", ""}};
  r.arguments = {{"to", "-3"}, {"ratio", "0.25"}, {"patch", "{\"a\":[1,2,{\"b\":null}]}"}};
  r.priority = -7;
  r.fired_at_ms = -1;
  r.limits = {1, 2, 3, 4, 5, true, 6, true};
  r = with_id(r);
  g.decide(std::span(&r, 1), web_facts(), 0);
  auto decoded = safety::decode_journal(safety::encode_journal(g.state()));
  BOOST_REQUIRE_MESSAGE(decoded.ok(), error_text(decoded));
  const auto& back = *decoded.state.actions.at(r.id).request;
  BOOST_TEST(back.id == r.id);
  BOOST_TEST(back.target.labels == r.target.labels);
  BOOST_TEST(back.target.annotations == r.target.annotations);
  BOOST_REQUIRE(back.arguments.size() == 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(back.arguments[i].name == r.arguments[i].name);
    BOOST_TEST(back.arguments[i].json == r.arguments[i].json);
  }
  BOOST_TEST(back.priority == -7);
  BOOST_TEST(back.fired_at_ms == -1);
  BOOST_TEST(back.limits.max_concurrent == 6u);
  BOOST_TEST(back.limits.allow_system_namespaces);
}

// ---- restarts ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_restart_neither_repeats_an_action_nor_forgets_a_cooldown) {
  TempDir dir;
  std::string path = dir.file("safety.journal");
  safety::RecordingExecutor executor;
  auto r = limited("p", "web-1", 0);
  {
    Gatekeeper g(open_config());
    auto ds = g.decide(std::span(&r, 1), web_facts(), 0);
    BOOST_REQUIRE(!safety::save_journal(path, g.state()));
    safety::execute_decisions(ds, executor, g, 0);
    BOOST_REQUIRE(!safety::save_journal(path, g.state()));
  }
  auto loaded = safety::load_journal(path);
  BOOST_REQUIRE(loaded.found);
  BOOST_REQUIRE(!loaded.error);
  Gatekeeper g(open_config(), std::move(loaded.state));
  auto ds = g.decide(std::span(&r, 1), web_facts(), kMinute);
  BOOST_TEST(safety::outcome_text(ds[0]) == "duplicate");
  BOOST_TEST(ds[0].reason() == "executed 1m ago, succeeded");
  BOOST_TEST(safety::execute_decisions(ds, executor, g, kMinute).size() == 0u);
  BOOST_TEST(executor.calls_of(r.id) == 1u);
  // A new firing on the same target still waits for the cooldown the old process started.
  BOOST_TEST(outcome_of(g, limited("p", "web-1", 5 * kMinute), 9 * kMinute) == "blocked:cooldown");
  BOOST_TEST(outcome_of(g, limited("p", "web-1", 5 * kMinute), 10 * kMinute) == "execute");
}

BOOST_AUTO_TEST_CASE(a_crash_between_decided_and_executed_repeats_nothing) {
  TempDir dir;
  std::string path = dir.file("safety.journal");
  auto config = open_config();
  config.max_in_flight = 1;
  config.in_flight_timeout_ms = 5 * kMinute;
  auto r = limited("p", "web-1", 0);
  {
    Gatekeeper g(config);
    auto ds = g.decide(std::span(&r, 1), web_facts(), 0);
    BOOST_REQUIRE(safety::outcome_text(ds[0]) == "execute");
    BOOST_REQUIRE(!safety::save_journal(path, g.state()));
    // The process dies here: nothing executed, no result recorded.
  }
  auto loaded = safety::load_journal(path);
  BOOST_REQUIRE(!loaded.error);
  Gatekeeper g(config, std::move(loaded.state));
  BOOST_TEST(g.find(r.id)->state == ActionState::InFlight);
  BOOST_TEST(outcome_of(g, r, kMinute) == "duplicate");
  // It still holds its budget until its result comes or its time runs out.
  auto other = limited("q", "web-2", kMinute);
  BOOST_TEST(outcome_of(g, other, kMinute) == "blocked:concurrency");
  BOOST_TEST(outcome_of(g, limited("p", "web-1", 2 * kMinute), 2 * kMinute) == "blocked:cooldown");
  BOOST_TEST(outcome_of(g, other, 5 * kMinute) == "execute");
  BOOST_TEST(g.find(r.id)->state == ActionState::Failed);
}

BOOST_AUTO_TEST_CASE(pending_approvals_and_retries_survive_a_restart) {
  TempDir dir;
  std::string path = dir.file("safety.journal");
  auto config = open_config();
  config.retry = {3, kMinute, kHour};
  auto pending = pod_action("p", "web-1");
  pending.mode = bytecode::Mode::Manual;
  pending = with_id(pending);
  auto retrying = pod_action("q", "web-2");
  {
    Gatekeeper g(config);
    g.decide(std::vector{pending, retrying}, web_facts(), 0);
    g.record_result(retrying.id, ExecutionStatus::TransientFailure, 0);
    BOOST_REQUIRE(!safety::save_journal(path, g.state()));
  }
  auto loaded = safety::load_journal(path);
  BOOST_REQUIRE(!loaded.error);
  Gatekeeper g(config, std::move(loaded.state));
  BOOST_REQUIRE(g.pending().size() == 1u);
  BOOST_TEST(g.awaiting_approval());
  BOOST_TEST(g.pending()[0].request->id == pending.id);
  BOOST_TEST(g.approve(pending.id, 10 * kMinute) == safety::ApproveResult::Approved);
  safety::RecordingExecutor executor;
  auto ds = g.decide({}, web_facts(), 10 * kMinute);
  BOOST_REQUIRE(ds.size() == 1u);
  BOOST_TEST(safety::outcome_text(ds[0]) == "execute");
  BOOST_TEST(safety::execute_decisions(ds, executor, g, 10 * kMinute).size() == 1u);
  BOOST_TEST(executor.calls().at(0).target == "Pod/apps/web-1");
  BOOST_TEST(safety::execute_due_retries(executor, g, kMinute).size() == 1u);
  BOOST_TEST(g.find(retrying.id)->state == ActionState::Succeeded);
  BOOST_TEST(g.find(retrying.id)->attempts == 2u);
}

BOOST_AUTO_TEST_CASE(an_action_verifying_its_target_round_trips_and_needs_its_request) {
  auto config = open_config();
  config.health_check = {5 * kMinute, 30 * kSecond};
  Gatekeeper g(config);
  auto r = limited("p", "web-1", 0);
  g.decide(std::span(&r, 1), web_facts(), 0);
  g.record_result(r.id, ExecutionStatus::Success, kSecond);
  std::string bytes = safety::encode_journal(g.state());
  BOOST_TEST(bytes.find("\"state\":\"verifying\"") != std::string::npos);
  auto decoded = safety::decode_journal(bytes);
  BOOST_REQUIRE_MESSAGE(decoded.ok(), error_text(decoded));
  BOOST_TEST(safety::encode_journal(decoded.state) == bytes);
  const auto& e = decoded.state.actions.at(r.id);
  BOOST_TEST(e.state == ActionState::Verifying);
  BOOST_TEST(e.updated_ms == kSecond);
  BOOST_TEST(e.deadline_ms == kSecond + 5 * kMinute);
  BOOST_REQUIRE(e.request);
  BOOST_TEST(e.request->policy == "p");
  // Without its request it could neither be checked nor release its budget.
  auto request_at = bytes.find(",\"request\":");
  BOOST_REQUIRE(request_at != std::string::npos);
  bytes.erase(request_at, bytes.find("}\t", request_at) - request_at);
  safety::reseal_journal(bytes);
  BOOST_TEST(error_text(safety::decode_journal(bytes)) == "an action verifying needs its request");
}

BOOST_AUTO_TEST_CASE(dry_runs_leave_nothing_in_the_journal) {
  auto config = open_config();
  config.dry_run = true;
  Gatekeeper g(config);
  auto r = limited("p", "web-1", 0);
  g.decide(std::span(&r, 1), web_facts(), 0);
  BOOST_TEST(safety::encode_journal(g.state()) == safety::encode_journal([] {
               safety::SafetyState s;
               s.global_window.set_length(kHour);
               s.failures.set_length(open_config().breaker.failure_window_ms);
               return s;
             }()));
}

// ---- torn and corrupt journals ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(every_truncation_is_detected) {
  std::string bytes = safety::encode_journal(typical_state());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto decoded = safety::decode_journal(std::string_view(bytes).substr(0, n));
    BOOST_TEST_CONTEXT("truncated to " << n << " bytes") {
      BOOST_REQUIRE(!decoded.ok());
      BOOST_TEST(decoded.error->offset <= n);
      bool said = decoded.error->message.find("torn") != std::string::npos ||
                  decoded.error->message.find("empty") != std::string::npos;
      BOOST_TEST(said, decoded.error->text());
      BOOST_TEST(decoded.state.actions.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(every_flipped_bit_is_detected_at_or_before_it) {
  std::string bytes = safety::encode_journal(typical_state());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string changed = bytes;
      changed[i] = static_cast<char>(changed[i] ^ (1 << bit));
      auto decoded = safety::decode_journal(changed);
      BOOST_TEST_CONTEXT("byte " << i << " bit " << bit) {
        BOOST_REQUIRE(!decoded.ok());
        BOOST_TEST(decoded.error->offset <= i, decoded.error->text());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_changed_record_is_reported_with_its_byte_and_number) {
  std::string bytes = safety::encode_journal(typical_state());
  // The start of record 3: after the header and two records.
  std::size_t start = 0;
  for (int line = 0; line < 3; ++line) start = bytes.find('\n', start) + 1;
  std::string changed = bytes;
  std::size_t digit = changed.find_first_of("0123456789", start);
  changed[digit] = changed[digit] == '9' ? '8' : '9';
  auto decoded = safety::decode_journal(changed);
  BOOST_REQUIRE(!decoded.ok());
  BOOST_TEST(decoded.error->record == 3u);
  BOOST_TEST(decoded.error->offset == start);
  BOOST_TEST(
      decoded.error->text().rfind(
          "byte " + std::to_string(start) + " (record 3): checksum mismatch (stored ", 0) == 0,
      decoded.error->text());
}

namespace {

// The typical journal with `from` replaced by `to` (once), resealed so that only the
// record's meaning is wrong.
safety::DecodedJournal edited(std::string_view from, std::string_view to) {
  std::string bytes = safety::encode_journal(typical_state());
  auto at = bytes.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, from);
  bytes.replace(at, from.size(), to);
  safety::reseal_journal(bytes);
  return safety::decode_journal(bytes);
}

}  // namespace

BOOST_AUTO_TEST_CASE(resealed_records_that_make_no_sense_are_reported_at_their_field) {
  std::string bytes = safety::encode_journal(typical_state());
  auto state_at = bytes.find("\"in-flight\"");
  auto d = edited("\"in-flight\"", "\"flying\"");
  BOOST_TEST(error_text(d) == "unknown action state \"flying\"");
  BOOST_TEST(d.error->offset == state_at);

  BOOST_TEST(error_text(edited("{\"record\":\"breaker\"", "{\"record\":\"brakes\"")) ==
             "unknown record type \"brakes\"");
  BOOST_TEST(error_text(edited("\"open_until_ms\":0,", "")) == "missing field \"open_until_ms\"");
  BOOST_TEST(error_text(edited("\"attempts\":1,", "\"attempts\":-1,")) ==
             "field \"attempts\" is out of range");
  BOOST_TEST(error_text(edited("\"attempts\":1,", "\"attempts\":1.5,")) ==
             "field \"attempts\" is out of range");
  BOOST_TEST(error_text(edited("\"priority\":10", "\"priority\":\"10\"")) ==
             "field \"priority\" must be a whole number");
  BOOST_TEST(error_text(edited("\"mode\":\"manual\"", "\"mode\":\"yolo\"")) ==
             "unknown mode \"yolo\"");
  BOOST_TEST(error_text(edited("\"times\":[0,120000]", "\"times\":[120000,0]")) ==
             "times must not go backwards");
  BOOST_TEST(error_text(edited("\"records\":", "\"records\":1")) ==
             "the end record counts 119 records, the file has 19");
  BOOST_TEST(error_text(edited("{\"record\":\"end\"",
                               "{\"record\":\"end\",\"x\":[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]")) ==
             "nested too deeply");
  // An in-flight action without its request could neither be retried nor released.
  auto request_at = bytes.find(",\"request\":", state_at);
  std::string without = bytes;
  without.erase(request_at, without.find("}\t", request_at) - request_at);
  safety::reseal_journal(without);
  BOOST_TEST(error_text(safety::decode_journal(without)) ==
             "an action in-flight needs its request");
}

BOOST_AUTO_TEST_CASE(headers_and_endings_are_checked) {
  std::string bytes = safety::encode_journal({});
  auto d = safety::decode_journal("");
  BOOST_TEST(error_text(d) == "the file is empty: not a safety journal");
  d = safety::decode_journal("{\"cooldowns\":[]}\n");
  BOOST_TEST(error_text(d) == "not a safety journal: expected \"skippy-safety-journal <version>\"");
  BOOST_TEST(d.error->offset == 0u);
  std::string v2 = bytes;
  v2.replace(v2.find(" 1\n"), 3, " 2\n");
  d = safety::decode_journal(v2);
  BOOST_TEST(error_text(d) == "version \"2\" is not supported: this build reads 1");
  BOOST_TEST(d.error->offset == safety::kJournalMagic.size() + 1);
  d = safety::decode_journal(bytes + "more\n");
  BOOST_TEST(error_text(d) == "data after the end record");
  BOOST_TEST(d.error->offset == bytes.size());
  // A record dropped from the middle: the chain of checksums breaks at the next one.
  std::string typical = safety::encode_journal(typical_state());
  std::size_t second = typical.find('\n', typical.find('\n') + 1) + 1;
  std::string dropped = typical;
  dropped.erase(second, typical.find('\n', second) + 1 - second);
  d = safety::decode_journal(dropped);
  BOOST_TEST(d.error->record == 2u);
  BOOST_TEST(d.error->message.find("checksum mismatch") == 0u);
}

// ---- files ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(saving_replaces_the_journal_whole_and_loading_reports_corruption) {
  TempDir dir;
  std::string path = dir.file("safety.journal");
  auto missing = safety::load_journal(path);
  BOOST_TEST(!missing.found);
  BOOST_TEST(!missing.error);

  auto state = typical_state();
  BOOST_REQUIRE(!safety::save_journal(path, {}));
  BOOST_REQUIRE(!safety::save_journal(path, state));
  BOOST_TEST(read_file(path) == safety::encode_journal(state));
  BOOST_TEST(!std::filesystem::exists(path + ".tmp"));

  // A temporary file left by a crash while saving is not read.
  write_file(path + ".tmp", "half a jour");
  auto loaded = safety::load_journal(path);
  BOOST_TEST(!loaded.error);
  BOOST_TEST(loaded.state.actions.size() == state.actions.size());

  std::string torn = read_file(path);
  write_file(path, torn.substr(0, torn.size() / 2));
  loaded = safety::load_journal(path);
  BOOST_TEST(loaded.found);
  BOOST_REQUIRE(loaded.error);
  BOOST_TEST(loaded.error->message.find("torn") != std::string::npos);
  BOOST_TEST(loaded.state.actions.empty());

  auto error = safety::save_journal(dir.file("no/such/dir/safety.journal"), state);
  BOOST_REQUIRE(error);
  BOOST_TEST(error->find("cannot create") == 0u, *error);
}

BOOST_AUTO_TEST_CASE(text_that_is_not_utf8_is_not_saved) {
  TempDir dir;
  std::string path = dir.file("safety.journal");
  BOOST_REQUIRE(!safety::save_journal(path, {}));
  std::string before = read_file(path);
  Gatekeeper g(open_config());
  auto r = pod_action("p", "web-1");
  r.target.labels = {{"app", "web\xff"}};
  r = with_id(r);
  g.decide(std::span(&r, 1), web_facts(), 0);
  auto error = safety::save_journal(path, g.state());
  BOOST_REQUIRE(error);
  BOOST_TEST(error->find("not saved: record 3 holds text that is not UTF-8") == 0u, *error);
  BOOST_TEST(read_file(path) == before);
  BOOST_TEST(!std::filesystem::exists(path + ".tmp"));
}

// ---- the records' JSON, read by simdjson ------------------------------------------------------

BOOST_AUTO_TEST_CASE(malformed_json_is_reported_in_its_record_where_simdjson_stops) {
  // Each edit is made to record 1 (the breaker) and resealed, so that only its JSON is wrong.
  // `at` is where in the edited text the error is; kStart: the start of the record, for what
  // simdjson finds before it has a document (strings, control characters, UTF-8).
  constexpr std::size_t kStart = std::string_view::npos;
  struct Bad {
    std::string_view to;
    std::size_t at;
    const char* message;
  };
  const std::string_view from = "\"failures\":[1000]}";
  const char* malformed =
      "malformed JSON: a comma, colon, quote or bracket is missing or out of place";
  for (const auto& bad : {
           Bad{"\"failures\":[1000],}", 18, malformed},
           Bad{"\"failures\":[1000 2]}", 17, malformed},
           Bad{"\"failures\" [1000]}", 11, malformed},
           Bad{"\"failures\":[1000,]}", 17, malformed},
           Bad{"\"failures\":[1000],\"x\":\"\\ud800x\"}", 22, "a string with an invalid escape"},
           Bad{"\"failures\":[1000],\"x\":\"\\q\"}", 22, "a string with an invalid escape"},
           Bad{"\"failures\":[1000],\"\\q\":1}", 18, "a string with an invalid escape"},
           Bad{"\"failures\":[1000],\"x\":tru}", 22, "expected a JSON value"},
           Bad{"\"failures\":[1000],\"x\":-}", 22, "expected a JSON value"},
           Bad{"\"failures\":[1000],\"x\":01}", 22, "a number that is malformed or out of range"},
           Bad{"\"failures\":[1000]}}", 18, "unexpected text after the record's object"},
           Bad{"\"failures\":[1000]} x", kStart, "the record does not end with its object's '}'"},
           Bad{"\"failures\":[1000]", kStart, "the record does not end with its object's '}'"},
           Bad{"\"failures\":[1000],\"x\":\"a\x01\"}", kStart, "a control character in a string"},
           Bad{"\"failures\":[1000],\"x\":\"abc}", kStart, "a string without its closing quote"},
           Bad{"\"failures\":[1000],\"x\":\"\xff\"}", kStart, "the record is not valid UTF-8"},
       }) {
    std::string bytes = safety::encode_journal(typical_state());
    std::size_t record = bytes.find('\n') + 1;
    std::size_t edit = bytes.find(from);
    bytes.replace(edit, from.size(), bad.to);
    safety::reseal_journal(bytes);
    auto d = safety::decode_journal(bytes);
    BOOST_TEST_CONTEXT(bad.to) {
      BOOST_REQUIRE(!d.ok());
      BOOST_TEST(d.error->record == 1u);
      BOOST_TEST(d.error->offset == (bad.at == kStart ? record : edit + bad.at));
      BOOST_TEST(d.error->message == bad.message);
      BOOST_TEST(d.state.actions.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_record_is_one_json_object) {
  std::string bytes = safety::encode_journal({});
  std::size_t record = bytes.find('\n') + 1;
  std::size_t tab = bytes.find('\t', record);
  for (auto [json, message] :
       {std::pair{"[1]", "a record must be an object"},
        std::pair{"\"breaker\"", "a record must be an object"},
        std::pair{"", "the record is empty"}, std::pair{"  ", "the record is empty"}}) {
    std::string changed = bytes;
    changed.replace(record, tab - record, json);
    safety::reseal_journal(changed);
    auto d = safety::decode_journal(changed);
    BOOST_TEST_CONTEXT(json) {
      BOOST_REQUIRE(!d.ok());
      BOOST_TEST(d.error->text() == "byte " + std::to_string(record) + " (record 1): " + message);
    }
  }
}

BOOST_AUTO_TEST_CASE(numbers_strings_and_unknown_fields_read_as_json_says) {
  // Whole numbers fill 64 bits exactly; anything else in a whole-number field is out of range.
  auto d = edited("\"open_until_ms\":0", "\"open_until_ms\":-9223372036854775808");
  BOOST_REQUIRE_MESSAGE(d.ok(), error_text(d));
  BOOST_TEST(d.state.breaker_open_until_ms == std::numeric_limits<std::int64_t>::min());
  BOOST_TEST(error_text(edited("\"open_until_ms\":0", "\"open_until_ms\":9223372036854775808")) ==
             "field \"open_until_ms\" is out of range");
  BOOST_TEST(error_text(edited("\"open_until_ms\":0", "\"open_until_ms\":1e2")) ==
             "field \"open_until_ms\" is out of range");
  // Fields the reader does not know are checked as JSON and passed over, however long their
  // numbers; of a repeated field, the first counts.
  d = edited("\"open_until_ms\":0,",
             "\"open_until_ms\":0,\"x\":[123456789012345678901234567890,{\"y\":null}],"
             "\"open_until_ms\":5,");
  BOOST_REQUIRE_MESSAGE(d.ok(), error_text(d));
  BOOST_TEST(d.state.breaker_open_until_ms == 0);
  // Escapes are decoded, surrogate pairs included.
  d = edited("\"labels\":{}", R"("labels":{"\u00e9":"\ud83d\ude00 \"\/\\ \b\f\n\r\t"})");
  BOOST_REQUIRE_MESSAGE(d.ok(), error_text(d));
  std::size_t found = 0;
  for (const auto& [id, entry] : d.state.actions) {
    if (!entry.request || entry.request->target.labels.empty()) continue;
    ++found;
    BOOST_TEST(entry.request->target.labels.at("\xC3\xA9") == "\xF0\x9F\x98\x80 \"/\\ \b\f\n\r\t");
  }
  BOOST_TEST(found == 1u);
}

BOOST_AUTO_TEST_CASE(arguments_keep_their_json_text) {
  auto d =
      edited(R"("arguments":{"strategy":"rolling"})",
             R"("arguments":{"strategy": "rolling" ,"n":-1.5e3,"patch":{ "a" : [1, {"b":null}] } ,)"
             R"("s":"\u00e9","t":true})");
  BOOST_REQUIRE_MESSAGE(d.ok(), error_text(d));
  const safety::ActionRequest* request = nullptr;
  for (const auto& [id, entry] : d.state.actions)
    if (entry.request && entry.request->arguments.size() == 5u) request = entry.request.get();
  BOOST_REQUIRE(request);
  std::vector<std::string> arguments;
  for (const auto& a : request->arguments) arguments.push_back(a.name + "=" + a.json);
  std::vector<std::string> expected = {"strategy=\"rolling\"", "n=-1.5e3",
                                       R"(patch={ "a" : [1, {"b":null}] })", R"(s="\u00e9")",
                                       "t=true"};
  BOOST_TEST(arguments == expected, boost::test_tools::per_element());
}
