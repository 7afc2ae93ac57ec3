#include "runtime/monitor/status_pages.hpp"

#include "base/json_escape.hpp"
#include "base/markup_escape.hpp"
#include "base/time_format.hpp"

namespace skippy::monitor {

namespace {

// `text` safe in HTML text and double-quoted attribute values.
std::string html_escape(std::string_view text) {
  return base::markup_escape(text);
}

// The namespace of a target key: "ns/name" or "Kind/ns/name".
std::string_view namespace_of(std::string_view key) {
  auto first = key.find('/');
  if (first == std::string_view::npos) return {};
  auto second = key.find('/', first + 1);
  if (second == std::string_view::npos) return key.substr(0, first);
  return key.substr(first + 1, second - first - 1);
}

std::string time_text(std::int64_t ms) {
  return ms == 0 ? "never" : base::format_time(ms);
}

// The filters of the policies page.
struct PolicyFilter {
  std::string policy, ns, state;
  explicit PolicyFilter(std::string_view query)
      : policy(query_value(query, "policy")),
        ns(query_value(query, "namespace")),
        state(query_value(query, "state")) {}
  bool targets_filtered() const { return !ns.empty() || (!state.empty() && state != "inactive"); }
  bool keeps(const TargetState& t) const {
    if (!ns.empty() && namespace_of(t.target) != ns) return false;
    return state.empty() || state == "inactive" || t.phase == state;
  }
};

// The policies the filter keeps, each trigger with only the target states it keeps. With
// ?state=inactive, only the triggers inactive for every target.
std::vector<PolicyStatus> filtered(const StatusSnapshot& s, const PolicyFilter& f) {
  std::vector<PolicyStatus> out;
  for (const auto& p : s.policies) {
    if (!f.policy.empty() && p.name != f.policy) continue;
    PolicyStatus kept = p;
    kept.triggers.clear();
    for (const auto& t : p.triggers) {
      TriggerStatus tk = t;
      tk.targets.clear();
      for (const auto& x : t.targets)
        if (f.keeps(x)) tk.targets.push_back(x);
      if (f.state == "inactive" && !t.targets.empty()) continue;
      if (f.targets_filtered() && tk.targets.empty()) continue;
      kept.triggers.push_back(std::move(tk));
    }
    if ((f.targets_filtered() || f.state == "inactive") && kept.triggers.empty()) continue;
    out.push_back(std::move(kept));
  }
  return out;
}

const char* kStyle =
    "body{font-family:sans-serif;margin:0;color:#222}"
    "nav{background:#2d3e50;padding:8px 16px}nav a{color:#fff;margin-right:16px;"
    "text-decoration:none;font-weight:bold}main{padding:8px 16px}"
    "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;"
    "text-align:left;vertical-align:top}th{background:#f2f2f2}"
    ".firing{color:#b00;font-weight:bold}.pending{color:#b60}.clearing{color:#06b}"
    ".ok{color:#080}.error{color:#b00}pre{background:#f7f7f7;padding:8px;overflow-x:auto}"
    ".meta{color:#666}";

std::string page(const StatusSnapshot& s, std::string_view title, const std::string& content) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Skippy - " +
      html_escape(title) + "</title><style>" + kStyle +
      "</style></head><body>\n<nav><a href=\"/\">Skippy</a><a href=\"/\">Policies</a>"
      "<a href=\"/decisions\">Decisions</a><a href=\"/safety\">Safety</a>"
      "<a href=\"/metrics\">Metrics</a></nav>\n<main>\n"
      "<p class=\"meta\">last tick: " +
      html_escape(time_text(s.time_ms)) +
      "; leader election: " + html_escape(leadership_name(s.leadership)) + "</p>\n<h1>" +
      html_escape(title) + "</h1>\n";
  return out + content + "</main></body></html>\n";
}

StatusPage html(int status, std::string body) {
  return {status, "text/html; charset=utf-8", std::move(body)};
}
StatusPage json(int status, std::string body) {
  return {status, "application/json", std::move(body)};
}
StatusPage json_error(int status, std::string_view message) {
  return json(status, "{\"status\":\"error\",\"error\":\"" + base::json_escape(message) + "\"}");
}

std::string input(const char* name, const std::string& value) {
  return std::string("<label>") + name + " <input name=\"" + name + "\" value=\"" +
         html_escape(value) + "\"></label> ";
}

StatusPage policies_page(const StatusSnapshot& s, std::string_view query) {
  PolicyFilter f(query);
  std::string c = "<form method=\"get\" action=\"/\">" + input("policy", f.policy) +
                  input("namespace", f.ns) + input("state", f.state) +
                  "<button type=\"submit\">Filter</button> <a href=\"/\">all</a></form>\n";
  auto policies = filtered(s, f);
  if (policies.empty()) c += "<p>No policies.</p>\n";
  for (const auto& p : policies) {
    c += "<section class=\"policy\"><h2><a href=\"/?policy=" + base::url_encode(p.name) + "\">" +
         html_escape(p.name) + "</a> ";
    c += p.healthy ? "<span class=\"ok\">healthy</span>"
                   : "<span class=\"error\">unhealthy: " + html_escape(p.last_error) + "</span>";
    c += "</h2>\n<p>mode " + html_escape(p.mode) + ", " + std::to_string(p.targets) +
         " targets, last evaluation " + html_escape(time_text(p.last_evaluation_ms)) +
         ", source <code>" + html_escape(p.source) + "</code></p>\n";
    c += "<table><tr><th>trigger</th><th>target</th><th>state</th><th>since</th></tr>\n";
    for (const auto& t : p.triggers) {
      std::string name = "<td>" + html_escape(t.name) + " <span class=\"meta\">" +
                         html_escape(t.source) + "</span></td>";
      if (t.targets.empty())
        c += "<tr>" + name + "<td>every target</td><td>inactive</td><td></td></tr>\n";
      for (const auto& x : t.targets) {
        c += "<tr>" + name + "<td>" + html_escape(x.target) + "</td><td class=\"" +
             html_escape(x.phase) + "\">" + html_escape(x.phase) + "</td><td>" +
             html_escape(time_text(x.since_ms)) + "</td></tr>\n";
      }
    }
    c += "</table></section>\n";
  }
  return html(200, page(s, "Policies", c));
}

StatusPage decisions_page(const StatusSnapshot& s, std::string_view query) {
  std::string policy = query_value(query, "policy");
  std::string c =
      "<table><tr><th>time</th><th>policy</th><th>trigger</th><th>action</th><th>target</th>"
      "<th>gates</th><th>outcome</th><th></th></tr>\n";
  std::size_t shown = 0;
  for (auto it = s.decisions.rbegin(); it != s.decisions.rend(); ++it) {
    if (!policy.empty() && it->policy != policy) continue;
    ++shown;
    c += "<tr><td>" + html_escape(it->time) + "</td><td>" + html_escape(it->policy) + "</td><td>" +
         html_escape(it->trigger) + "</td><td>" + html_escape(it->action) + "</td><td>" +
         html_escape(it->target) + "</td><td>" + html_escape(it->gates) + "</td><td>" +
         html_escape(it->outcome) + "</td><td><a href=\"/decisions/" + base::url_encode(it->id) +
         "\">explain</a></td></tr>\n";
  }
  c += "</table>\n";
  if (shown == 0) c += "<p>No decisions yet.</p>\n";
  return html(200, page(s, "Decisions", c));
}

StatusPage decision_page(const StatusSnapshot& s, std::string_view id,
                         const DecisionExplainer& explain) {
  const DecisionStatus* d = s.decision(id);
  if (!d)
    return html(404, page(s, "No such decision",
                          "<p>No decision <code>" + html_escape(id) + "</code> is kept.</p>\n"));
  std::string c = "<p>" + html_escape(d->policy) + ": " + html_escape(d->action) + " on " +
                  html_escape(d->target) + ", " + html_escape(d->outcome) + "</p>\n<pre>" +
                  html_escape(explain ? explain(*d) : std::string()) +
                  "</pre>\n<h2>Audit records</h2>\n<pre>" + html_escape(d->record) + "\n";
  for (const auto& f : d->followups) c += html_escape(f) + "\n";
  c += "</pre>\n";
  return html(200, page(s, "Decision " + d->id, c));
}

StatusPage safety_page(const StatusSnapshot& s) {
  const SafetyStatus& safety = s.safety;
  std::string c = "<h2>Circuit breaker</h2>\n<p>";
  c += safety.breaker_open
           ? "<span class=\"error\">open</span> until " +
                 html_escape(time_text(safety.breaker_open_until_ms)) + ": destructive actions wait"
           : std::string("<span class=\"ok\">closed</span>");
  c += "</p>\n";
  auto actions = [&](const char* title, bool waiting) {
    std::string t = std::string("<h2>") + title + "</h2>\n";
    t += "<table><tr><th>state</th><th>since</th><th>until</th><th>policy</th><th>action</th>"
         "<th>target</th><th>attempts</th><th></th></tr>\n";
    std::size_t shown = 0;
    for (const auto& a : safety.actions) {
      if ((a.state == "pending" || a.state == "approved") != waiting) continue;
      ++shown;
      t += "<tr><td>" + html_escape(a.state) + "</td><td>" + html_escape(time_text(a.since_ms)) +
           "</td><td>" + html_escape(time_text(a.deadline_ms)) + "</td><td>" +
           html_escape(a.policy) + "</td><td>" + html_escape(a.action) + "</td><td>" +
           html_escape(a.target) + "</td><td>" + std::to_string(a.attempts) +
           "</td><td><a href=\"/decisions/" + base::url_encode(a.id) + "\">explain</a></td></tr>\n";
    }
    t += "</table>\n";
    if (shown == 0) t += "<p>None.</p>\n";
    return t;
  };
  c += actions("Actions in flight", false) + actions("Waiting for approval", true);
  c += "<h2>Cooldowns</h2>\n<table><tr><th>policy or policy/action/target</th><th>until</th>"
       "</tr>\n";
  for (const auto& k : safety.cooldowns)
    c += "<tr><td>" + html_escape(k.key) + "</td><td>" + html_escape(time_text(k.until_ms)) +
         "</td></tr>\n";
  c += "</table>\n";
  if (safety.cooldowns.empty()) c += "<p>None.</p>\n";
  return html(200, page(s, "Safety", c));
}

std::string decision_fields(const DecisionStatus& d) {
  auto field = [](const char* name, const std::string& value) {
    return std::string("\"") + name + "\":\"" + base::json_escape(value) + "\"";
  };
  return field("id", d.id) + "," + field("time", d.time) + "," + field("policy", d.policy) + "," +
         field("trigger", d.trigger) + "," + field("action", d.action) + "," +
         field("target", d.target) + "," + field("gates", d.gates) + "," +
         field("outcome", d.outcome);
}

std::string status_header(const StatusSnapshot& s) {
  return "{\"status\":\"success\",\"data\":{\"time\":\"" + base::json_escape(time_text(s.time_ms)) +
         "\",\"leadership\":\"" + leadership_name(s.leadership) + "\",";
}

StatusPage policies_json(const StatusSnapshot& s, std::string_view query) {
  std::string out = status_header(s) + "\"policies\":[";
  bool first_policy = true;
  for (const auto& p : filtered(s, PolicyFilter(query))) {
    out += (first_policy ? "" : ",") + std::string("{\"name\":\"") + base::json_escape(p.name) +
           "\",\"source\":\"" + base::json_escape(p.source) + "\",\"mode\":\"" +
           base::json_escape(p.mode) + "\",\"healthy\":" + (p.healthy ? "true" : "false") +
           ",\"last_error\":\"" + base::json_escape(p.last_error) + "\",\"last_evaluation\":\"" +
           base::json_escape(time_text(p.last_evaluation_ms)) +
           "\",\"targets\":" + std::to_string(p.targets) + ",\"triggers\":[";
    first_policy = false;
    for (std::size_t t = 0; t < p.triggers.size(); ++t) {
      const auto& tr = p.triggers[t];
      out += (t ? ",{" : "{") + std::string("\"name\":\"") + base::json_escape(tr.name) +
             "\",\"source\":\"" + base::json_escape(tr.source) + "\",\"targets\":[";
      for (std::size_t i = 0; i < tr.targets.size(); ++i) {
        const auto& x = tr.targets[i];
        out += (i ? ",{" : "{") + std::string("\"target\":\"") + base::json_escape(x.target) +
               "\",\"state\":\"" + base::json_escape(x.phase) + "\",\"since\":\"" +
               base::json_escape(time_text(x.since_ms)) + "\"}";
      }
      out += "]}";
    }
    out += "]}";
  }
  return json(200, out + "]}}");
}

StatusPage safety_json(const StatusSnapshot& s) {
  const SafetyStatus& safety = s.safety;
  std::string out = status_header(s) +
                    "\"breaker_open\":" + (safety.breaker_open ? "true" : "false") +
                    ",\"breaker_open_until\":\"" +
                    base::json_escape(time_text(safety.breaker_open_until_ms)) + "\",\"actions\":[";
  for (std::size_t i = 0; i < safety.actions.size(); ++i) {
    const auto& a = safety.actions[i];
    out += (i ? ",{" : "{") + std::string("\"id\":\"") + base::json_escape(a.id) +
           "\",\"state\":\"" + base::json_escape(a.state) + "\",\"policy\":\"" +
           base::json_escape(a.policy) + "\",\"action\":\"" + base::json_escape(a.action) +
           "\",\"target\":\"" + base::json_escape(a.target) + "\",\"since\":\"" +
           base::json_escape(time_text(a.since_ms)) + "\",\"until\":\"" +
           base::json_escape(time_text(a.deadline_ms)) +
           "\",\"attempts\":" + std::to_string(a.attempts) + "}";
  }
  out += "],\"cooldowns\":[";
  for (std::size_t i = 0; i < safety.cooldowns.size(); ++i) {
    const auto& k = safety.cooldowns[i];
    out += (i ? ",{" : "{") + std::string("\"key\":\"") + base::json_escape(k.key) +
           "\",\"until\":\"" + base::json_escape(time_text(k.until_ms)) + "\"}";
  }
  return json(200, out + "]}}");
}

StatusPage decisions_json(const StatusSnapshot& s, std::string_view query) {
  std::string policy = query_value(query, "policy");
  std::string out = status_header(s) + "\"decisions\":[";
  bool first = true;
  for (auto it = s.decisions.rbegin(); it != s.decisions.rend(); ++it) {
    if (!policy.empty() && it->policy != policy) continue;
    out += (first ? "{" : ",{") + decision_fields(*it) + "}";
    first = false;
  }
  return json(200, out + "]}}");
}

StatusPage decision_json(const StatusSnapshot& s, std::string_view id,
                         const DecisionExplainer& explain) {
  const DecisionStatus* d = s.decision(id);
  if (!d) return json_error(404, "no decision " + std::string(id) + " is kept");
  // The records are JSON objects already: they go in as they are.
  std::string out = "{\"status\":\"success\",\"data\":{" + decision_fields(*d) +
                    ",\"record\":" + d->record + ",\"followups\":[";
  for (std::size_t i = 0; i < d->followups.size(); ++i) out += (i ? "," : "") + d->followups[i];
  return json(200, out + "],\"explanation\":\"" +
                       base::json_escape(explain ? explain(*d) : std::string()) + "\"}}");
}

}  // namespace

std::string query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (base::url_decode(pair.substr(0, eq)) != name) continue;
    return eq == std::string_view::npos ? std::string() : base::url_decode(pair.substr(eq + 1));
  }
  return {};
}

StatusPage render_status(const StatusSnapshot& snapshot, std::string_view path,
                         std::string_view query, const DecisionExplainer& explain) {
  constexpr std::string_view kDecisions = "/decisions/";
  constexpr std::string_view kApiDecisions = "/api/v1/status/decisions/";
  if (path == "/") return policies_page(snapshot, query);
  if (path == "/decisions" || path == "/decisions/") return decisions_page(snapshot, query);
  if (path.starts_with(kDecisions))
    return decision_page(snapshot, path.substr(kDecisions.size()), explain);
  if (path == "/safety") return safety_page(snapshot);
  if (path == "/api/v1/status/policies") return policies_json(snapshot, query);
  if (path == "/api/v1/status/safety") return safety_json(snapshot);
  if (path == "/api/v1/status/decisions") return decisions_json(snapshot, query);
  if (path.starts_with(kApiDecisions))
    return decision_json(snapshot, path.substr(kApiDecisions.size()), explain);
  if (path.starts_with("/api/")) return json_error(404, "no such resource");
  return html(404, page(snapshot, "Not found",
                        "<p>Nothing at <code>" + html_escape(path) + "</code>.</p>\n"));
}

}  // namespace skippy::monitor
