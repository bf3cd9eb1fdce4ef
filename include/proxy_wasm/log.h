// Logging: level filtering before formatting, cheap message assembly, no iostreams.
//
//   proxy_wasm::logInfo("request header --> ", key, ": ", value);
//
// The host's level is read with `proxy_get_log_level` at most once per callback (it can
// change at run time; 6 means off). A call below that level returns before formatting.
// Before the first callback (module start-up, where Envoy allows only `proxy_log`) the
// level is not read and every message goes to the host.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "proxy_wasm/detail/trap.h"
#include "proxy_wasm/hostcalls.h"

namespace proxy_wasm {

namespace detail {

/// Collects a message in a stack buffer, spilling to the heap only when long.
class MessageBuilder {
 public:
  MessageBuilder() = default;
  MessageBuilder(const MessageBuilder&) = delete;
  MessageBuilder& operator=(const MessageBuilder&) = delete;

  void append(std::string_view s) {
    if (heap_.empty() && size_ + s.size() <= sizeof(inline_)) {
      if (!s.empty()) std::memcpy(inline_ + size_, s.data(), s.size());
      size_ += s.size();
      return;
    }
    if (heap_.empty()) heap_.assign(inline_, size_);
    heap_.append(s.data(), s.size());
  }
  std::string_view view() const { return heap_.empty() ? std::string_view(inline_, size_) : heap_; }

  template <class T>
  void add(const T& value) {
    using D = std::decay_t<T>;
    if constexpr (std::is_same_v<D, bool>) {
      append(value ? "true" : "false");
    } else if constexpr (std::is_same_v<D, char>) {
      append(std::string_view(&value, 1));
    } else if constexpr (std::is_same_v<D, Status> || std::is_same_v<D, Status::Code>) {
      append(Status(value).name());
    } else if constexpr (std::is_same_v<D, LogLevel>) {
      append(logLevelName(value));
    } else if constexpr (std::is_enum_v<D>) {
      add(static_cast<std::underlying_type_t<D>>(value));
    } else if constexpr (std::is_integral_v<D>) {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof(buf), value);
      append(std::string_view(buf, size_t(r.ptr - buf)));
    } else if constexpr (std::is_floating_point_v<D>) {
      char buf[32];
      int n = std::snprintf(buf, sizeof(buf), "%g", static_cast<double>(value));
      append(std::string_view(buf, n > 0 ? size_t(n) : 0));
    } else {
      append(std::string_view(value));
    }
  }

 private:
  char inline_[256];
  size_t size_ = 0;
  std::string heap_;
};
}  // namespace detail

/// The host's log level, read once per callback.
inline LogLevel logLevel() {
#if PROXY_WASM_ABI_VNEXT
  return LogLevel::Trace;  // the draft has no level query: every line is sent, the host filters
#endif
  detail::Runtime& r = detail::runtime();
  if (PROXY_WASM_LIKELY(r.log_level_state == detail::Runtime::kLevelCached)) return r.log_level;
  if (r.log_level_state == detail::Runtime::kLevelStartup) return LogLevel::Trace;  // don't ask the host
  auto level = getLogLevelFromHost();
  r.log_level = level.ok() ? *level : LogLevel::Trace;  // unknown: let the host filter
  r.log_level_state = detail::Runtime::kLevelCached;
  return r.log_level;
}

inline bool logEnabled(LogLevel level) { return level >= logLevel(); }

/// Logs the concatenation of `parts` (strings, string_views, HostBuffers, integers,
/// floating point, bool, char, Status) when `level` is enabled. The line is attributed to
/// the context whose work is running: the stream in its own callbacks and in the responses
/// to its callouts, the root in its ticks, timers and queue notifications, even after a
/// call on another context (root().addTimer(...) from a stream) switched the host's
/// effective context.
template <class... Parts>
void log(LogLevel level, const Parts&... parts) {
  if (level == LogLevel::Off || !logEnabled(level)) return;
  if constexpr (sizeof...(Parts) == 1 && (std::is_convertible_v<const Parts&, std::string_view> && ...)) {
    (void)logMessage(level, std::string_view(parts...));  // nothing useful to do if logging fails
  } else {
    detail::MessageBuilder message;
    (message.add(parts), ...);
    (void)logMessage(level, message.view());
  }
}

template <class... Parts>
void logTrace(const Parts&... parts) { log(LogLevel::Trace, parts...); }
template <class... Parts>
void logDebug(const Parts&... parts) { log(LogLevel::Debug, parts...); }
template <class... Parts>
void logInfo(const Parts&... parts) { log(LogLevel::Info, parts...); }
template <class... Parts>
void logWarn(const Parts&... parts) { log(LogLevel::Warn, parts...); }
template <class... Parts>
void logError(const Parts&... parts) { log(LogLevel::Error, parts...); }
template <class... Parts>
void logCritical(const Parts&... parts) { log(LogLevel::Critical, parts...); }

/// A fatal plugin error: logs the concatenation of `parts` at critical level, then traps.
/// The host fails the VM (in Envoy the stream gets a 503 or a reset and later callbacks are
/// refused); natively the mock host records the trap in the running callback. The SDK uses
/// it for misuse that has no status to return (e.g. Result::value() on an error).
template <class... Parts>
[[noreturn]] void fatal(const Parts&... parts) {
  detail::MessageBuilder message;
  (message.add(parts), ...);
  detail::trap(message.view());
}

}  // namespace proxy_wasm
