// The SDK's public enums: log levels, callback actions, buffer, map, stream, peer and
// metric types, gRPC statuses. They are the SDK's own; their values happen to be ABI
// v0.2.1's wire values, and detail/wire.h is the one place that maps them to the wire.
#pragma once

#include <cstdint>

namespace proxy_wasm {

enum class LogLevel : uint32_t {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
  Off = 6,  ///< Returned by `proxy_get_log_level` when logging is disabled; never logged at.
};

/// What a stream callback tells the host. Continue and Pause are what ABI v0.2.1 defines
/// (hosts interpret Pause per callback: headers stop everything, a body is buffered). The
/// others are the vNEXT draft's; on v0.2.1 each is mapped to what comes closest
/// (docs/vnext.md): EndStream and Done continue (with a debug log line), WaitForMoreData
/// and WaitForEndOrFull pause (the host buffers), Close closes the callback's direction of
/// the stream (`closeRequest()`, `closeResponse()`, `closeDownstream()`, `closeUpstream()`)
/// and pauses.
enum class Action : uint32_t {
  Continue = 0,          ///< Let the stream proceed.
  Pause = 1,             ///< Hold it until a continue call (a body: until more data or a continue).
  EndStream = 2,         ///< vNEXT: proceed and end the stream here. v0.2.1: Continue.
  Done = 3,              ///< vNEXT: proceed, no more callbacks for this stream. v0.2.1: Continue.
  WaitForMoreData = 4,   ///< Buffer, call again with more data. v0.2.1: Pause.
  WaitForEndOrFull = 5,  ///< Buffer until the end or a full buffer. v0.2.1: Pause.
  Close = 6,             ///< Close the stream. v0.2.1: close this direction, then Pause.
};

enum class BufferType : uint32_t {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  DownstreamData = 2,
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  CallData = 8,  ///< Foreign-function arguments.
};

enum class MapType : uint32_t {
  HttpRequestHeaders = 0,
  HttpRequestTrailers = 1,
  HttpResponseHeaders = 2,
  HttpResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
};

enum class StreamType : uint32_t {
  Request = 0,
  Response = 1,
  Downstream = 2,
  Upstream = 3,
};

enum class PeerType : uint32_t {
  Unknown = 0,
  Local = 1,
  Remote = 2,
};

enum class MetricType : uint32_t {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
};

enum class GrpcStatus : uint32_t {
  Ok = 0,
  Canceled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  OutOfRange = 11,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  DataLoss = 15,
  Unauthenticated = 16,
  None = 0xFFFFFFFFu,  ///< "no gRPC status" in `proxy_send_local_response`.
};

}  // namespace proxy_wasm
