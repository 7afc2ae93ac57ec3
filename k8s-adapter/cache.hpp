// Where an informer keeps the objects of one resource: decoded records by "namespace/name".
// The informer sees a Store (decode and keep, forget, replace everything after a relist);
// readers see the typed Cache<T>, under its lock. A relist fills a staging map that replaces
// the cache only when the whole list has arrived: a list that fails halfway changes nothing.
#pragma once

#include <simdjson.h>

#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace skippy::k8s {

class Store {
 public:
  virtual ~Store() = default;
  // Decodes `object` and keeps it under `key`, in place of any object before; returns "" or
  // what was wrong with a field (the record is kept with that field's fallback).
  virtual std::string put(const std::string& key, simdjson::dom::element object) = 0;
  virtual void erase(const std::string& key) = 0;
  // A relist: stage_begin, stage each listed object, then stage_commit (or stage_begin again).
  virtual void stage_begin() = 0;
  virtual std::string stage(const std::string& key, simdjson::dom::element object) = 0;
  virtual void stage_commit() = 0;
  virtual std::size_t size() const = 0;
};

template <class T>
class Cache final : public Store {
 public:
  using Decode = std::function<std::string(simdjson::dom::element, T&)>;
  using Map = std::unordered_map<std::string, T>;

  explicit Cache(Decode decode) : decode_(std::move(decode)) {}

  // Calls f(const Map&) under the cache's lock: copy out what is needed, quickly.
  template <class F>
  void read(F f) const {
    std::lock_guard lock(mutex_);
    f(static_cast<const Map&>(items_));
  }

  std::string put(const std::string& key, simdjson::dom::element object) override {
    T record;
    std::string error = decode_(object, record);
    std::lock_guard lock(mutex_);
    items_.insert_or_assign(key, std::move(record));
    return error;
  }
  void erase(const std::string& key) override {
    std::lock_guard lock(mutex_);
    items_.erase(key);
  }
  void stage_begin() override { staging_ = Map(); }
  std::string stage(const std::string& key, simdjson::dom::element object) override {
    T record;
    std::string error = decode_(object, record);
    staging_.insert_or_assign(key, std::move(record));
    return error;
  }
  void stage_commit() override {
    Map old;
    {
      std::lock_guard lock(mutex_);
      old.swap(items_);
      items_.swap(staging_);
    }
    // `old` is freed here, outside the lock.
  }
  std::size_t size() const override {
    std::lock_guard lock(mutex_);
    return items_.size();
  }

 private:
  Decode decode_;
  mutable std::mutex mutex_;
  Map items_;
  Map staging_;  // the informer's thread only
};

}  // namespace skippy::k8s
