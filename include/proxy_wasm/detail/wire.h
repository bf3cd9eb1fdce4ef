// The one place that maps the SDK's public enums to the wire values of the ABI a plugin is
// built for, and back.
//
// ABI v0.2.1: every mapping is the identity (the public values were chosen to be its wire
// values), so this compiles to nothing. The vNEXT draft: its 1-based values (abi/vnext.h),
// with the choices of docs/vnext.md where the draft has no value (0 below: the backend
// answers Unimplemented without calling the host). Either way a status code the SDK does not
// know (a host newer than it) reads as Status::UnknownStatus.
#pragma once

#include <cstdint>

#include "proxy_wasm/abi.h"
#include "proxy_wasm/status.h"
#include "proxy_wasm/types.h"

namespace proxy_wasm {
namespace detail {

#if !PROXY_WASM_ABI_VNEXT

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

#else  // the vNEXT draft

namespace vw = ::proxy_wasm::vnext::wire;

/// Trace..Error are 1..5; the draft has no Critical: it is sent at Error.
constexpr uint32_t toWire(LogLevel v) {
  return v >= LogLevel::Error ? uint32_t(vw::kError) : static_cast<uint32_t>(v) + 1;
}
/// Every action has a draft value (Pause on a body is WaitForMoreData: dispatch.h).
constexpr uint32_t toWire(Action v) {
  switch (v) {
    case Action::Continue: return vw::kContinue;
    case Action::Pause: return vw::kPause;
    case Action::EndStream: return vw::kEndStream;
    case Action::Done: return vw::kDone;
    case Action::WaitForMoreData: return vw::kWaitForMoreData;
    case Action::WaitForEndOrFull: return vw::kWaitForEndOrFull;
    case Action::Close: return vw::kClose;
  }
  return vw::kContinue;
}
/// gRPC replies have no buffer type in the draft: read as the callout response body. The
/// foreign-function arguments have none either (0).
constexpr uint32_t toWire(BufferType v) {
  switch (v) {
    case BufferType::HttpRequestBody: return vw::kHttpRequestBody;
    case BufferType::HttpResponseBody: return vw::kHttpResponseBody;
    case BufferType::DownstreamData: return vw::kDownstreamData;
    case BufferType::UpstreamData: return vw::kUpstreamData;
    case BufferType::HttpCallResponseBody: return vw::kHttpCalloutResponseBody;
    case BufferType::GrpcReceiveBuffer: return vw::kHttpCalloutResponseBody;
    case BufferType::VmConfiguration: return vw::kVmConfiguration;
    case BufferType::PluginConfiguration: return vw::kPluginConfiguration;
    case BufferType::CallData: return 0;
  }
  return 0;
}
/// gRPC metadata has no map type in the draft: read as the callout response's headers
/// (initial) and trailers (trailing).
constexpr uint32_t toWire(MapType v) {
  switch (v) {
    case MapType::HttpRequestHeaders: return vw::kHttpRequestHeaders;
    case MapType::HttpRequestTrailers: return vw::kHttpRequestTrailers;
    case MapType::HttpResponseHeaders: return vw::kHttpResponseHeaders;
    case MapType::HttpResponseTrailers: return vw::kHttpResponseTrailers;
    case MapType::GrpcReceiveInitialMetadata: return vw::kHttpCallResponseHeaders;
    case MapType::GrpcReceiveTrailingMetadata: return vw::kHttpCallResponseTrailers;
    case MapType::HttpCallResponseHeaders: return vw::kHttpCallResponseHeaders;
    case MapType::HttpCallResponseTrailers: return vw::kHttpCallResponseTrailers;
  }
  return 0;
}
constexpr uint32_t toWire(StreamType v) {
  switch (v) {
    case StreamType::Request: return vw::kHttpRequest;
    case StreamType::Response: return vw::kHttpResponse;
    case StreamType::Downstream: return vw::kDownstream;
    case StreamType::Upstream: return vw::kUpstream;
  }
  return 0;
}
constexpr uint32_t toWire(MetricType v) { return static_cast<uint32_t>(v) + 1; }
/// The draft gives no gRPC status values: gRPC's own, as in v0.2.1.
constexpr uint32_t toWire(GrpcStatus v) { return static_cast<uint32_t>(v); }

constexpr Status statusFromWire(uint32_t raw) {
  switch (raw) {
    case vw::kOk: return Status::Ok;
    case vw::kEmpty: return Status::Empty;
    case vw::kNotFound: return Status::NotFound;
    case vw::kNotAllowed: return Status::NotAllowed;
    case vw::kBadArgument: return Status::BadArgument;
    case vw::kInvalidMemoryAccess: return Status::InvalidMemoryAccess;
    case vw::kInvalidOperation: return Status::InvalidOperation;
    case vw::kCompareAndSwapMismatch: return Status::CasMismatch;
    default: break;
  }
  return Status::UnknownStatus;
}

#endif

/// v0.2.1's peer type and the draft's close source share their values (1 local, 2 remote).
constexpr PeerType peerTypeFromWire(uint32_t raw) {
  return raw <= uint32_t(PeerType::Remote) ? static_cast<PeerType>(raw) : PeerType::Unknown;
}
constexpr GrpcStatus grpcStatusFromWire(uint32_t raw) { return static_cast<GrpcStatus>(raw); }

}  // namespace detail
}  // namespace proxy_wasm
