// The one place that maps the SDK's public enums to the ABI's wire values and back.
// For ABI v0.2.1 every mapping is the identity (the public values were chosen to be its
// wire values), so this compiles to nothing; a status code the SDK does not know (a host
// newer than it) reads as Status::UnknownStatus.
#pragma once

#include <cstdint>

#include "proxy_wasm/status.h"
#include "proxy_wasm/types.h"

namespace proxy_wasm {
namespace detail {

constexpr uint32_t toWire(LogLevel v) { return static_cast<uint32_t>(v); }
constexpr uint32_t toWire(Action v) { return static_cast<uint32_t>(v); }
constexpr uint32_t toWire(BufferType v) { return static_cast<uint32_t>(v); }
constexpr uint32_t toWire(MapType v) { return static_cast<uint32_t>(v); }
constexpr uint32_t toWire(StreamType v) { return static_cast<uint32_t>(v); }
constexpr uint32_t toWire(MetricType v) { return static_cast<uint32_t>(v); }
constexpr uint32_t toWire(GrpcStatus v) { return static_cast<uint32_t>(v); }

constexpr Status statusFromWire(uint32_t raw) {
  return raw <= uint32_t(Status::Unimplemented) ? Status(static_cast<Status::Code>(raw)) : Status(Status::UnknownStatus);
}
constexpr LogLevel logLevelFromWire(uint32_t raw) {
  return raw <= uint32_t(LogLevel::Off) ? static_cast<LogLevel>(raw) : LogLevel::Off;
}
constexpr PeerType peerTypeFromWire(uint32_t raw) {
  return raw <= uint32_t(PeerType::Remote) ? static_cast<PeerType>(raw) : PeerType::Unknown;
}
constexpr GrpcStatus grpcStatusFromWire(uint32_t raw) { return static_cast<GrpcStatus>(raw); }

}  // namespace detail
}  // namespace proxy_wasm
