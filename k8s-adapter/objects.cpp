#include "k8s-adapter/objects.hpp"

#include "runtime/cluster/manifest.hpp"

namespace skippy::k8s {
namespace {

namespace dom = simdjson::dom;

// A JSON value as manifest.hpp reads it. A field of the wrong type sets the decode's first
// error, with its path, and reads as missing.
class JsonNode {
 public:
  JsonNode(dom::element e, bool present, std::string* error, std::string path)
      : e_(e), present_(present), error_(error), path_(std::move(path)) {}

  JsonNode operator[](const char* key) const {
    dom::element child;
    bool found = present_ && e_.is_object() && !e_[key].get(child);
    return {child, found, error_, path_.empty() ? key : path_ + "." + key};
  }
  bool is_map() const { return present_ && e_.is_object(); }
  std::string text(std::string_view fallback = {}) const {
    if (!set()) return std::string(fallback);
    std::string_view s;
    if (!e_.get(s)) return std::string(s);
    std::int64_t i = 0;
    if (!e_.get(i)) return std::to_string(i);  // an IntOrString that is an int
    return wrong("expected a string", fallback);
  }
  std::int64_t integer(std::int64_t fallback = 0) const {
    if (!set()) return fallback;
    std::int64_t i = 0;
    if (!e_.get(i)) return i;
    return wrong("expected a whole number", fallback);
  }
  bool boolean(bool fallback) const {
    if (!set()) return fallback;
    bool b = false;
    if (!e_.get(b)) return b;
    return wrong("expected true or false", fallback);
  }
  std::int64_t time() const {
    std::string s = text();
    if (s.empty()) return 0;
    if (auto ms = cluster::parse_rfc3339_ms(s)) return *ms;
    return wrong("expected an RFC 3339 time", std::int64_t{0});
  }
  cluster::Labels labels() const {
    cluster::Labels out;
    if (!set()) return out;
    dom::object o;
    if (e_.get(o)) return wrong("expected a map of names to strings", out);
    for (auto [key, value] : o) {
      std::string_view v;
      if (value.get(v)) {
        JsonNode(value, true, error_, path_ + "." + std::string(key)).wrong("expected a string", 0);
        continue;
      }
      out.emplace(std::string(key), std::string(v));
    }
    return out;
  }
  template <class F>
  void each(F f) const {
    if (!set()) return;
    dom::array a;
    if (e_.get(a)) return static_cast<void>(wrong("expected a list", 0));
    std::size_t i = 0;
    for (dom::element item : a)
      f(JsonNode(item, true, error_, path_ + "[" + std::to_string(i++) + "]"));
  }

 private:
  bool set() const { return present_ && !e_.is_null(); }
  template <class T>
  T wrong(const char* what, T fallback) const {
    if (error_->empty()) *error_ = path_ + ": " + what;
    return fallback;
  }
  std::string wrong(const char* what, std::string_view fallback) const {
    return wrong<std::string>(what, std::string(fallback));
  }

  dom::element e_;
  bool present_;
  std::string* error_;
  std::string path_;
};

JsonNode root(dom::element object, std::string& error) {
  return JsonNode(object, true, &error, "");
}

}  // namespace

std::string decode_pod(dom::element object, cluster::Pod& out) {
  std::string error;
  out = cluster::manifest_pod(root(object, error));
  return error;
}

std::string decode_workload(std::string kind, dom::element object, cluster::Workload& out) {
  std::string error;
  out = cluster::manifest_workload(std::move(kind), root(object, error));
  return error;
}

std::string decode_event(dom::element object, cluster::Event& out) {
  std::string error;
  out = cluster::manifest_event(root(object, error));
  return error;
}

std::string decode_disruption_budget(dom::element object, DisruptionBudget& out) {
  std::string error;
  JsonNode o = root(object, error);
  out = DisruptionBudget{};
  out.namespace_name = o["metadata"]["namespace"].text("default");
  out.name = o["metadata"]["name"].text();
  JsonNode spec = o["spec"];
  out.selector = spec["selector"]["matchLabels"].labels();
  spec["selector"]["matchExpressions"].each(
      [&](const JsonNode&) { out.selector_expressions = true; });
  out.min_available = spec["minAvailable"].text();
  out.max_unavailable = spec["maxUnavailable"].text();
  JsonNode status = o["status"];
  out.disruptions_allowed = status["disruptionsAllowed"].integer();
  out.current_healthy = status["currentHealthy"].integer();
  out.desired_healthy = status["desiredHealthy"].integer();
  out.expected_pods = status["expectedPods"].integer();
  return error;
}

std::string decode_raw(dom::element object, RawObject& out) {
  std::string error;
  JsonNode o = root(object, error);
  out.namespace_name = o["metadata"]["namespace"].text("default");
  out.name = o["metadata"]["name"].text();
  out.json = simdjson::minify(object);
  return error;
}

std::string object_key(dom::element object) {
  std::string_view ns, name;
  dom::element metadata;
  if (object["metadata"].get(metadata) || metadata["name"].get(name) || name.empty()) return {};
  if (metadata["namespace"].get(ns) || ns.empty()) return std::string(name);
  std::string key;
  key.reserve(ns.size() + 1 + name.size());
  key.append(ns).append("/").append(name);
  return key;
}

}  // namespace skippy::k8s
