// Alertmanager's v2 API as Skippy uses it: alerts about actions and decisions go to every
// configured Alertmanager (POST /api/v2/alerts), and each tick's active silences come from them
// (GET /api/v2/silences) for the safety runtime's silence gate. Several Alertmanagers are told
// everything, as Prometheus tells its own. Blocking, bounded by a timeout, never throws.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/http/exchange.hpp"
#include "runtime/safety/decision.hpp"
#include "runtime/safety/silence.hpp"

namespace skippy::alerting {

struct AlertmanagerOptions {
  std::vector<std::string> urls;  // each Alertmanager's base URL: http://host:9093
  std::int64_t timeout_ms = 10'000;
  bool silences_required = false;  // no Alertmanager answering blocks every action
  std::string generator_url;       // where the alerts point: the runtime's web address
};

// How long an alert about an action stays firing in Alertmanager: its endsAt after startsAt.
inline constexpr std::int64_t kAlertLifetimeMs = 3'600'000;

struct Alert {
  safety::AlertLabels labels;
  safety::AlertLabels annotations;
  std::int64_t starts_ms = 0;
  std::int64_t ends_ms = 0;
  std::string generator_url;
};

// The alert about an action: its alert_labels plus `outcome` ("execute", "blocked:silence",
// ...), annotations summary, description (`message` when given), decision_id and explain
// (`skippy explain ID`), firing from now for kAlertLifetimeMs.
Alert action_alert(const safety::ActionRequest& request, std::string_view outcome,
                   std::string_view message, std::int64_t now_ms, std::string_view generator_url);

// The body of POST /api/v2/alerts: a JSON array of alerts.
std::string alerts_json(std::span<const Alert> alerts);

// Reads the body of GET /api/v2/silences: the silences whose status.state is "active", their
// regexes compiled. False, with the reason in `error`, when the body is not such a list.
bool parse_silences(std::string_view json, std::vector<safety::Silence>& out, std::string& error);

// RFC 3339 time (2026-05-01T10:00:00.123Z, or with an offset) as Unix milliseconds.
bool parse_rfc3339(std::string_view text, std::int64_t& ms);

class Alertmanagers {
 public:
  explicit Alertmanagers(AlertmanagerOptions options) : options_(std::move(options)) {}

  // Asks every Alertmanager for its silences: the active ones of all that answered.
  safety::SilenceView silences() const;
  // Posts the alerts to every Alertmanager. Empty when at least one took them, else why none
  // did (one line per Alertmanager).
  std::string post(std::span<const Alert> alerts) const;

  const AlertmanagerOptions& options() const { return options_; }

 private:
  AlertmanagerOptions options_;
};

}  // namespace skippy::alerting
