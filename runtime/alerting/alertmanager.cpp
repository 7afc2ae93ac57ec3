#include "runtime/alerting/alertmanager.hpp"

#include <simdjson.h>

#include <cctype>
#include <ctime>

#include "base/json_escape.hpp"
#include "base/time_format.hpp"

namespace skippy::alerting {
namespace {

void json_labels(std::string& out, const safety::AlertLabels& labels) {
  out += '{';
  for (std::size_t i = 0; i < labels.size(); ++i) {
    out.append(i ? ",\"" : "\"").append(base::json_escape(labels[i].first)).append("\":\"");
    out.append(base::json_escape(labels[i].second)).append("\"");
  }
  out += '}';
}

std::string base_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// Digits at text[at, at + n) as a number; -1 when they are not all digits.
int digits(std::string_view text, std::size_t at, std::size_t n) {
  if (at + n > text.size()) return -1;
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

}  // namespace

Alert action_alert(const safety::ActionRequest& r, std::string_view outcome,
                   std::string_view message, std::int64_t now_ms, std::string_view generator_url) {
  Alert a;
  a.labels = safety::alert_labels(r);
  a.labels.emplace_back("outcome", outcome);
  std::string target = safety::target_key(r.target);
  a.annotations = {
      {"summary", r.action + " " + target + " (policy " + r.policy + "): " + std::string(outcome)},
      {"description", message.empty() ? "trigger " + r.trigger + " of policy " + r.policy +
                                            " proposed " + r.action + " on " + target
                                      : std::string(message)},
      {"decision_id", r.id},
      {"explain", "skippy explain " + r.id}};
  a.starts_ms = now_ms;
  a.ends_ms = now_ms + kAlertLifetimeMs;
  a.generator_url = generator_url;
  return a;
}

std::string alerts_json(std::span<const Alert> alerts) {
  std::string out = "[";
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    const auto& a = alerts[i];
    out += i ? ",{\"labels\":" : "{\"labels\":";
    json_labels(out, a.labels);
    out += ",\"annotations\":";
    json_labels(out, a.annotations);
    out += ",\"startsAt\":\"" + base::format_time(a.starts_ms) + "\"";
    out += ",\"endsAt\":\"" + base::format_time(a.ends_ms) + "\"";
    out += ",\"generatorURL\":\"" + base::json_escape(a.generator_url) + "\"}";
  }
  return out + "]";
}

bool parse_rfc3339(std::string_view t, std::int64_t& ms) {
  int year = digits(t, 0, 4), month = digits(t, 5, 2), day = digits(t, 8, 2);
  int hour = digits(t, 11, 2), minute = digits(t, 14, 2), second = digits(t, 17, 2);
  if (year < 0 || month < 1 || day < 1 || hour < 0 || minute < 0 || second < 0) return false;
  if (t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' || t[16] != ':')
    return false;
  std::size_t at = 19;
  std::int64_t fraction_ms = 0;
  if (at < t.size() && t[at] == '.') {
    std::int64_t scale = 100;
    for (++at; at < t.size() && std::isdigit(static_cast<unsigned char>(t[at])); ++at) {
      fraction_ms += (t[at] - '0') * scale;
      scale /= 10;
    }
  }
  std::int64_t offset_s = 0;
  if (at < t.size() && (t[at] == 'Z' || t[at] == 'z')) {
    ++at;
  } else if (at < t.size() && (t[at] == '+' || t[at] == '-')) {
    int oh = digits(t, at + 1, 2), om = digits(t, at + 4, 2);
    if (oh < 0 || om < 0 || t[at + 3] != ':') return false;
    offset_s = (t[at] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    at += 6;
  } else {
    return false;
  }
  if (at != t.size()) return false;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  ms = (static_cast<std::int64_t>(timegm(&tm)) - offset_s) * 1000 + fraction_ms;
  return true;
}

bool parse_silences(std::string_view json, std::vector<safety::Silence>& out, std::string& error) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto e = parser.parse(json.data(), json.size()).get(doc)) {
    error = std::string("not JSON: ") + simdjson::error_message(e);
    return false;
  }
  simdjson::dom::array list;
  if (doc.get(list)) {
    error = "not a list of silences";
    return false;
  }
  for (auto item : list) {
    std::string_view state, id, starts, ends;
    if (item["status"]["state"].get(state) || state != "active") continue;
    simdjson::dom::array matchers;
    if (item["id"].get(id) || item["matchers"].get(matchers) || item["startsAt"].get(starts) ||
        item["endsAt"].get(ends)) {
      error = "an active silence without id, matchers, startsAt or endsAt";
      return false;
    }
    safety::Silence s;
    s.id = id;
    if (!parse_rfc3339(starts, s.starts_ms) || !parse_rfc3339(ends, s.ends_ms)) {
      error = "silence " + s.id + ": a time that is not RFC 3339";
      return false;
    }
    std::string_view text;
    if (!item["createdBy"].get(text)) s.created_by = text;
    if (!item["comment"].get(text)) s.comment = text;
    for (auto m : matchers) {
      std::string_view name, value;
      bool is_regex = false, is_equal = true;
      if (m["name"].get(name) || m["value"].get(value) || m["isRegex"].get(is_regex)) {
        error = "silence " + s.id + ": a matcher without name, value or isRegex";
        return false;
      }
      if (m["isEqual"].get(is_equal)) is_equal = true;  // before Alertmanager 0.22: always =
      s.matchers.push_back(
          safety::make_matcher(std::string(name), std::string(value), is_regex, is_equal));
    }
    out.push_back(std::move(s));
  }
  return true;
}

safety::SilenceView Alertmanagers::silences() const {
  safety::SilenceView view;
  view.required = options_.silences_required;
  for (const auto& url : options_.urls) {
    ++view.asked;
    http::Request request;
    request.url = base_url(url) + "/api/v2/silences";
    request.timeout_ms = options_.timeout_ms;
    http::Response response = http::exchange(request);
    std::string error;
    if (!response.ok()) {
      error = http::describe(request, response);
    } else if (std::vector<safety::Silence> active; parse_silences(response.body, active, error)) {
      ++view.answered;
      for (auto& s : active) view.active.push_back(std::move(s));
      continue;
    } else {
      error = request.url + ": " + error;
    }
    if (!view.problem.empty()) view.problem += "; ";
    view.problem += error;
  }
  return view;
}

std::string Alertmanagers::post(std::span<const Alert> alerts) const {
  std::string problems;
  bool delivered = false;
  for (const auto& url : options_.urls) {
    http::Request request;
    request.method = "POST";
    request.url = base_url(url) + "/api/v2/alerts";
    request.content_type = "application/json";
    request.body = alerts_json(alerts);
    request.timeout_ms = options_.timeout_ms;
    http::Response response = http::exchange(request);
    if (response.ok()) {
      delivered = true;
    } else {
      problems += (problems.empty() ? "" : "; ") + http::describe(request, response);
    }
  }
  return delivered ? std::string() : problems;
}

}  // namespace skippy::alerting
