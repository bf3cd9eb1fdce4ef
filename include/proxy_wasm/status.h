// Status names and Result<T>: how every host status reaches plugin code (no exceptions).
#pragma once

#include <string_view>
#include <type_traits>
#include <utility>

#include "proxy_wasm/abi.h"
#include "proxy_wasm/config.h"

namespace proxy_wasm {

// The spec's name of a status, e.g. "NotFound"; "Unknown(N)" is not produced: unknown
// values (a host newer than this SDK) read as "UnknownStatus".
constexpr std::string_view statusName(Status s) {
  switch (s) {
    case Status::Ok: return "Ok";
    case Status::NotFound: return "NotFound";
    case Status::BadArgument: return "BadArgument";
    case Status::SerializationFailure: return "SerializationFailure";
    case Status::ParseFailure: return "ParseFailure";
    case Status::BadExpression: return "BadExpression";
    case Status::InvalidMemoryAccess: return "InvalidMemoryAccess";
    case Status::Empty: return "Empty";
    case Status::CasMismatch: return "CasMismatch";
    case Status::ResultMismatch: return "ResultMismatch";
    case Status::InternalFailure: return "InternalFailure";
    case Status::BrokenConnection: return "BrokenConnection";
    case Status::Unimplemented: return "Unimplemented";
  }
  return "UnknownStatus";
}

constexpr std::string_view logLevelName(LogLevel l) {
  switch (l) {
    case LogLevel::Trace: return "trace";
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warn: return "warn";
    case LogLevel::Error: return "error";
    case LogLevel::Critical: return "critical";
    case LogLevel::Off: return "off";
  }
  return "unknown";
}

// A value or the host status that explains its absence.
//
// `Result<T>` is falsy unless the host answered Ok. `NotFound` is how hosts say "absent"
// (a missing header, property or shared key), so callers usually branch on `ok()` and
// inspect `status()` only when they care why.
template <class T>
class PROXY_WASM_NODISCARD Result {
 public:
  Result(T value) : value_(std::move(value)), status_(Status::Ok) {}  // NOLINT: implicit by design
  Result(Status status) : value_(), status_(status) {}                // NOLINT: implicit by design

  bool ok() const { return status_ == Status::Ok; }
  explicit operator bool() const { return ok(); }
  Status status() const { return status_; }

  // The value; a default-constructed T when !ok().
  T& value() & { return value_; }
  const T& value() const& { return value_; }
  T&& value() && { return std::move(value_); }
  T& operator*() & { return value_; }
  const T& operator*() const& { return value_; }
  T&& operator*() && { return std::move(value_); }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }

  template <class U>
  T value_or(U&& fallback) const& {
    return ok() ? value_ : static_cast<T>(std::forward<U>(fallback));
  }
  template <class U>
  T value_or(U&& fallback) && {
    return ok() ? std::move(value_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  T value_;
  Status status_;
};

}  // namespace proxy_wasm
