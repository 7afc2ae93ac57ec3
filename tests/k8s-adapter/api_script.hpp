// A Kubernetes API server stand-in for informer tests, over the fault server: for each
// collection ("/api/v1/pods") the LIST answers and WATCH streams to give, in order. When a
// collection's LIST answers run out the last one repeats (an empty list if none was given);
// when its WATCH streams run out a watch stays open, silent, until the server stops.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tests/runtime/prometheus/support.hpp"

namespace skippy::test {

// {"type":"ADDED","object":{...}} and its newline: one watch line.
inline std::string watch_line(const std::string& type, const std::string& object) {
  return R"({"type":")" + type + R"(","object":)" + object + "}\n";
}

// A list response: {"metadata":{"resourceVersion":...,"continue":...},"items":[...]}
inline std::string list_body(const std::string& version, const std::vector<std::string>& items,
                             const std::string& continue_token = "") {
  std::string out = R"({"kind":"List","metadata":{"resourceVersion":")" + version + "\"";
  if (!continue_token.empty()) out += R"(,"continue":")" + continue_token + "\"";
  out += R"(},"items":[)";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out + "]}";
}

// A Pod as the API server writes one, with what the tests look at.
inline std::string pod_json(const std::string& name, const std::string& version, int restarts = 0,
                            const std::string& owner = "") {
  std::string owners;
  if (!owner.empty()) {
    auto slash = owner.find('/');
    owners = R"(,"ownerReferences":[{"apiVersion":"apps/v1","kind":")" + owner.substr(0, slash) +
             R"(","name":")" + owner.substr(slash + 1) + R"(","controller":true}])";
  }
  return R"({"metadata":{"name":")" + name + R"(","namespace":"demo","resourceVersion":")" +
         version + R"(","labels":{"app":"web"})" + owners +
         R"(},"spec":{"nodeName":"node-1"},"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],"containerStatuses":[{"restartCount":)" +
         std::to_string(restarts) + "}]}}";
}

class ApiScript {
 public:
  void list(const std::string& path, Response r) {
    std::lock_guard lock(mutex_);
    lists_[path].push_back(std::move(r));
  }
  void list(const std::string& path, const std::string& body) {
    Response r;
    r.body = body;
    list(path, std::move(r));
  }
  void watch(const std::string& path, Response r) {
    std::lock_guard lock(mutex_);
    watches_[path].push_back(std::move(r));
  }
  // A watch that sends `lines` and then stays open (or, with drop, hangs up).
  void watch(const std::string& path, const std::vector<std::string>& lines, bool drop = false) {
    Response r;
    for (const auto& l : lines) r.stream.push_back({std::chrono::milliseconds(0), l});
    if (drop)
      r.drop_stream = true;
    else
      r.hold = std::chrono::milliseconds(60'000);
    watch(path, std::move(r));
  }

  FaultServer::Handler handler() {
    return [this](const Request& request) {
      std::string path = request.path.substr(0, request.path.find('?'));
      bool is_watch = request.path.find("watch=1") != std::string::npos;
      std::lock_guard lock(mutex_);
      if (is_watch) {
        auto& queue = watches_[path];
        if (queue.empty()) {
          Response open;
          open.hold = std::chrono::milliseconds(60'000);
          return open;
        }
        Response r = std::move(queue.front());
        queue.pop_front();
        return r;
      }
      auto& queue = lists_[path];
      if (queue.empty()) {
        Response r;
        r.body = list_body("1", {});
        return r;
      }
      Response r = queue.front();
      if (queue.size() > 1) queue.pop_front();
      return r;
    };
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::deque<Response>> lists_;
  std::map<std::string, std::deque<Response>> watches_;
};

}  // namespace skippy::test
