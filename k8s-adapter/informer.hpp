// An informer keeps a Store of one resource in step with the API server, as client-go's
// reflector does: LIST (in pages of page_size, following `continue`), then WATCH from the
// list's resourceVersion with bookmarks, applying ADDED, MODIFIED and DELETED to the store;
// a BOOKMARK only moves the resourceVersion on. When the server no longer has that version
// (410 Gone, as a response or as an ERROR event) the informer lists again; when a watch ends
// or breaks it watches again from the last resourceVersion seen, after a backoff that doubles
// while nothing works and is reset by a list or an event. A line that is not a watch event is
// reported and the watch restarted from the last version: the store is never touched by it.
//
// Runs on its own thread from start() to stop(); stop() returns within about 50 ms of a
// watch, or once a list request in flight ends (bounded by the client's timeout).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "k8s-adapter/api_client.hpp"
#include "k8s-adapter/cache.hpp"

namespace skippy::k8s {

struct InformerOptions {
  std::size_t page_size = 500;             // objects per LIST page (0: no paging)
  std::int64_t watch_timeout_s = 300;      // asked of the server, which then ends the watch
  std::int64_t idle_timeout_ms = 120'000;  // no byte for this long: the watch is dead
  std::int64_t backoff_initial_ms = 500;   // after the first failure; doubles
  std::int64_t backoff_max_ms = 30'000;
  std::size_t max_line_bytes = std::size_t{16} << 20;  // a longer watch event is an error
  // Problems as they happen ("pods: watch: line 3 is not JSON: ..."), for the log.
  std::function<void(const std::string&)> log;
};

// What an informer has done, for metrics and tests.
struct InformerStats {
  std::int64_t lists = 0;       // complete LISTs (the first one included)
  std::int64_t relists = 0;     // LISTs after the first: the server had forgotten our version
  std::int64_t watches = 0;     // WATCH requests sent
  std::int64_t reconnects = 0;  // WATCHes that resume from an earlier watch's version
  std::int64_t events = 0;      // ADDED, MODIFIED and DELETED applied
  std::int64_t bookmarks = 0;
  std::int64_t bad_lines = 0;      // watch lines that were not a watch event
  std::int64_t decode_errors = 0;  // objects with a field of the wrong type (kept with fallbacks)
};

class Informer {
 public:
  // `path` is the resource's collection: "/api/v1/pods", "/apis/apps/v1/deployments".
  Informer(Connection connection, std::string path, Store& store, InformerOptions options = {},
           ApiClientOptions client_options = {});
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void start();
  void stop();

  bool synced() const;  // the first LIST has completed
  // Waits until synced() or `limit` passes; whether it synced.
  bool wait_synced(std::chrono::milliseconds limit) const;
  std::string resource_version() const;
  std::string last_error() const;  // the last problem reported, "" if none yet
  InformerStats stats() const;
  const std::string& path() const { return path_; }

 private:
  enum class WatchEnd { Again, Failed, Gone, Stopped };
  void run();
  bool list();
  WatchEnd watch();
  // Applies one watch line; false ends the watch with `end` set.
  bool apply(std::string_view line, WatchEnd& end);
  void report(std::string message);
  // Waits `ms` unless stop() comes first; whether to go on.
  bool pause(std::int64_t ms);
  bool stopping() const;

  std::string path_;
  Store& store_;
  InformerOptions options_;
  ApiClient client_;
  simdjson::dom::parser parser_;  // the thread's

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stopping_ = false;
  bool synced_ = false;
  std::string resource_version_;
  std::string last_error_;
  InformerStats stats_;
  std::thread thread_;
};

}  // namespace skippy::k8s
