#include "k8s-adapter/informer.hpp"

#include <algorithm>

#include "k8s-adapter/objects.hpp"
#include "runtime/http/stream.hpp"

namespace skippy::k8s {
namespace {

namespace dom = simdjson::dom;

std::string_view field(dom::element e, const char* key) {
  std::string_view s;
  if (e[key].get(s)) return {};
  return s;
}

// metadata.resourceVersion of an object or a list.
std::string_view version_of(dom::element e) {
  dom::element metadata;
  if (e["metadata"].get(metadata)) return {};
  return field(metadata, "resourceVersion");
}

}  // namespace

Informer::Informer(Connection connection, std::string path, Store& store, InformerOptions options,
                   ApiClientOptions client_options)
    : path_(std::move(path)),
      store_(store),
      options_(std::move(options)),
      client_(std::move(connection), [&] {
        // The client's waits between retries end early when the informer stops.
        client_options.sleep = [this](std::chrono::milliseconds d) { pause(d.count()); };
        return std::move(client_options);
      }()) {}

Informer::~Informer() {
  stop();
}

void Informer::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void Informer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Informer::stopping() const {
  std::lock_guard lock(mutex_);
  return stopping_;
}

bool Informer::pause(std::int64_t ms) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(ms, 0)),
                    [this] { return stopping_; });
  return !stopping_;
}

bool Informer::synced() const {
  std::lock_guard lock(mutex_);
  return synced_;
}

bool Informer::wait_synced(std::chrono::milliseconds limit) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, limit, [this] { return synced_; });
}

std::string Informer::resource_version() const {
  std::lock_guard lock(mutex_);
  return resource_version_;
}

std::string Informer::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

InformerStats Informer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Informer::report(std::string message) {
  message = path_ + ": " + message;
  if (options_.log) options_.log(message);
  std::lock_guard lock(mutex_);
  last_error_ = std::move(message);
}

void Informer::run() {
  std::int64_t backoff = options_.backoff_initial_ms;
  bool need_list = true;
  bool resumed = false;  // the next watch resumes from an earlier watch's version
  while (!stopping()) {
    if (need_list) {
      if (!list()) {
        if (!pause(backoff)) return;
        backoff = std::min(backoff * 2, options_.backoff_max_ms);
        continue;
      }
      need_list = false;
      resumed = false;
      backoff = options_.backoff_initial_ms;
    }
    {
      std::lock_guard lock(mutex_);
      ++stats_.watches;
      if (resumed) ++stats_.reconnects;
    }
    std::int64_t events_before = stats().events + stats().bookmarks;
    WatchEnd end = watch();
    resumed = true;
    if (end == WatchEnd::Stopped) return;
    if (end == WatchEnd::Gone) {
      need_list = true;
      continue;
    }
    bool progressed = stats().events + stats().bookmarks > events_before;
    if (progressed) backoff = options_.backoff_initial_ms;
    if (end == WatchEnd::Again && progressed) continue;  // the server ended a good watch
    if (!pause(backoff)) return;
    backoff = std::min(backoff * 2, options_.backoff_max_ms);
  }
}

bool Informer::list() {
  store_.stage_begin();
  std::string continue_token;
  std::string version;
  do {
    std::string query = path_ + "?";
    if (options_.page_size > 0) query += "limit=" + std::to_string(options_.page_size) + "&";
    if (!continue_token.empty()) query += "continue=" + continue_token + "&";
    query.pop_back();
    ApiResult page = client_.get(query);
    if (stopping()) return false;
    if (!page.ok()) {
      // An expired continue token is 410 too: the next try starts from the first page.
      report("list: " + page.error);
      return false;
    }
    dom::element doc;
    if (auto error = parser_.parse(page.body).get(doc)) {
      report("list: GET " + query + ": the response is not JSON (" +
             simdjson::error_message(error) + ")");
      return false;
    }
    dom::array items;
    if (doc["items"].get(items) && !doc["items"].is_null()) {
      report("list: GET " + query + ": the response has no `items` list");
      return false;
    }
    std::size_t i = 0;
    std::int64_t bad = 0;
    for (dom::element item : items) {
      std::string key = object_key(item);
      if (key.empty()) {
        report("list: item " + std::to_string(i) + " has no metadata.name; skipped");
        ++bad;
      } else if (std::string error = store_.stage(key, item); !error.empty()) {
        report("list: " + key + ": " + error);
        ++bad;
      }
      ++i;
    }
    version = version_of(doc);
    dom::element metadata;
    continue_token = doc["metadata"].get(metadata) ? "" : std::string(field(metadata, "continue"));
    std::lock_guard lock(mutex_);
    stats_.decode_errors += bad;
  } while (!continue_token.empty());
  store_.stage_commit();
  // A page of a list takes the parser megabytes; a watch event a few kilobytes. Give the
  // page's room back rather than hold it while watching.
  parser_ = simdjson::dom::parser();
  {
    std::lock_guard lock(mutex_);
    resource_version_ = version;
    if (stats_.lists > 0) ++stats_.relists;
    ++stats_.lists;
    synced_ = true;
  }
  changed_.notify_all();
  return true;
}

Informer::WatchEnd Informer::watch() {
  http::Request request;
  request.url = client_.connection().server + path_ +
                "?watch=1&allowWatchBookmarks=true&resourceVersion=" + resource_version() +
                "&timeoutSeconds=" + std::to_string(options_.watch_timeout_s);
  request.timeout_ms = client_.options().timeout_ms;
  request.user_agent = client_.options().user_agent;
  request.max_response_bytes = options_.max_line_bytes;
  WatchEnd end = WatchEnd::Again;
  http::StreamEnd stream = http::stream_lines(
      request, client_.connection().credentials, options_.idle_timeout_ms,
      [&](std::string_view line) { return apply(line, end); }, [this] { return stopping(); });
  if (stopping()) return WatchEnd::Stopped;
  if (stream.stopped) return end;  // apply() ended it and said why
  if (stream.status == 410) return WatchEnd::Gone;
  if (!stream.error.empty() || stream.status < 200 || stream.status >= 300) {
    std::string why =
        stream.error.empty() ? describe_status(stream.status, stream.body) : stream.error;
    report("watch from resourceVersion " + resource_version() + ": " + why);
    return WatchEnd::Failed;
  }
  return WatchEnd::Again;
}

bool Informer::apply(std::string_view line, WatchEnd& end) {
  dom::element event;
  std::string_view type;
  dom::element object;
  std::string problem;
  if (auto error = parser_.parse(line.data(), line.size()).get(event)) {
    problem = "a line that is not JSON (" + std::string(simdjson::error_message(error)) +
              "): " + std::string(line.substr(0, 120));
  } else if (event["type"].get(type)) {
    problem = "a line that is not a watch event (no `type`): " + std::string(line.substr(0, 120));
  } else if (event["object"].get(object) || !object.is_object()) {
    problem = "a " + std::string(type) + " event without an object";
  }
  if (!problem.empty()) {
    {
      std::lock_guard lock(mutex_);
      ++stats_.bad_lines;
    }
    report("watch: " + problem);
    end = WatchEnd::Failed;
    return false;
  }
  if (type == "ERROR") {
    std::int64_t code = 0;
    if (object["code"].get(code)) code = 0;
    if (code == 410) {
      end = WatchEnd::Gone;
    } else {
      report("watch: ERROR event: " +
             describe_status(static_cast<int>(code), simdjson::minify(object)));
      end = WatchEnd::Failed;
    }
    return false;
  }
  std::string_view version = version_of(object);
  if (type == "BOOKMARK") {
    std::lock_guard lock(mutex_);
    ++stats_.bookmarks;
    if (!version.empty()) resource_version_ = version;
    return true;
  }
  if (type != "ADDED" && type != "MODIFIED" && type != "DELETED") {
    report("watch: an event of unknown type `" + std::string(type) + "`; ignored");
    return true;
  }
  std::string key = object_key(object);
  if (key.empty()) {
    report("watch: a " + std::string(type) + " event whose object has no metadata.name; ignored");
    return true;
  }
  std::string decode_error;
  if (type == "DELETED") {
    store_.erase(key);
  } else {
    decode_error = store_.put(key, object);
    if (!decode_error.empty()) report("watch: " + key + ": " + decode_error);
  }
  std::lock_guard lock(mutex_);
  ++stats_.events;
  if (!decode_error.empty()) ++stats_.decode_errors;
  if (!version.empty()) resource_version_ = version;
  return true;
}

}  // namespace skippy::k8s
