// One HTTP stream as Envoy's filter chain drives it through the plugin (the driver half:
// a test sends the parts and inspects what left the proxy). Obtained from
// Host::newHttpStream().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "proxy_wasm/abi/v0_2_1.h"
#include "proxy_wasm/host/header_list.h"

namespace proxy_wasm::host {

class Model;

struct LocalResponse {
  uint32_t status = 0;
  std::string details;
  std::string body;
  HeaderList headers;
  std::optional<uint32_t> grpc_status;  // set when 0..16 was given
};

// One HTTP stream as the proxy sees it. Obtained from Host::newHttpStream().
class HttpStream {
 public:
  uint32_t id() const { return id_; }

  // Deliver downstream request parts / upstream response parts to the plugin. Returns
  // the action of the callback (Pause when a local response forced it), or Continue
  // when no callback ran (e.g. the stream is paused and the part was buffered).
  Action sendRequestHeaders(const HeaderList& headers, bool end_of_stream = false);
  Action sendRequestBody(std::string_view chunk, bool end_of_stream = false);
  Action sendRequestTrailers(const HeaderList& trailers);
  Action sendResponseHeaders(const HeaderList& headers, bool end_of_stream = false);
  Action sendResponseBody(std::string_view chunk, bool end_of_stream = false);
  Action sendResponseTrailers(const HeaderList& trailers);

  // The request/response maps as they are now (after the plugin's changes).
  const HeaderList& requestHeaders() const { return request_.headers; }
  const HeaderList& requestTrailers() const { return request_.trailers; }
  const HeaderList& responseHeaders() const { return response_.headers; }
  const HeaderList& responseTrailers() const { return response_.trailers; }
  // Bytes forwarded past the plugin so far (upstream for the request, downstream for
  // the response), and bytes held in the plugin's buffer.
  const std::string& forwardedRequestBody() const { return request_.forwarded; }
  const std::string& forwardedResponseBody() const { return response_.forwarded; }
  const std::string& bufferedRequestBody() const { return request_.buffer; }
  const std::string& bufferedResponseBody() const { return response_.buffer; }
  // True once the request headers (or response headers) went past the plugin.
  bool requestHeadersForwarded() const { return request_.headers_forwarded; }
  bool responseHeadersForwarded() const { return response_.headers_forwarded; }
  bool requestPaused() const { return request_.state != Flow::Flowing; }
  bool responsePaused() const { return response_.state != Flow::Flowing; }
  bool requestComplete() const { return request_.complete; }
  bool responseComplete() const { return response_.complete; }

  // The local reply: the plugin's proxy_send_local_response, 413 over the buffer limit, or
  // 503 wasm_fail_stream (gRPC status 14) when the plugin trapped.
  const std::optional<LocalResponse>& localResponse() const { return local_response_; }
  // The stream was reset (proxy_close_stream, a trap or a response body over the buffer
  // limit once the response headers went downstream).
  bool reset() const { return reset_; }
  const std::string& resetDetails() const { return reset_details_; }
  bool finished() const { return finished_; }

  // Per-stream properties (NUL-joined path), e.g. for source.address.
  void setProperty(std::string_view path, std::string_view value);

  // Ends the stream: finalization callbacks in the configured order. A stream whose
  // request never reached the plugin gets its context created first, then on_log, as
  // Envoy's access-log hook does.
  void finish();

 private:
  friend class Model;
  enum class Flow { Flowing, HeadersPaused, BodyPaused, TrailersPaused };
  struct Direction {
    HeaderList headers, trailers;
    bool has_headers = false, has_trailers = false;
    Flow state = Flow::Flowing;
    std::string buffer;      // visible to the plugin (paused body or current chunk)
    std::string held;        // arrived while headers were paused
    bool held_end = false;   // end of stream arrived while paused
    bool held_trailers = false;
    std::string forwarded;
    bool headers_forwarded = false;
    bool complete = false;   // end of stream seen
    // Envoy keeps a pointer to each map only while the plugin may use it: from the map's
    // callback until that phase continues (a Continue result, or continue_stream for the
    // request maps). Trailers created from the last body callback stay until continued.
    bool headers_live = false;
    bool trailers_live = false;
    bool body_dropped = false;  // continue_stream forgot the request body (until the next body callback)
  };
  HttpStream(Model* model, uint32_t id, uint32_t root, uint64_t seq) : model_(model), id_(id), root_(root), seq_(seq) {}
  void ensureCreated();
  Action sendHeaders(bool request, const HeaderList& headers, bool end_of_stream);
  Action sendBody(bool request, std::string_view chunk, bool end_of_stream);
  Action sendTrailers(bool request, const HeaderList& trailers);
  Action runBody(bool request, bool end_of_stream);
  Action runTrailers(bool request);
  void resume(bool request);
  // Envoy's failStream (a trap, fail-closed): 503 wasm_fail_stream, or a reset once the
  // response headers went downstream.
  void failStream();
  // Envoy's requestDataTooLarge / responseDataTooLarge.
  void tooLarge(bool request);
  // No more proxy traffic reaches the plugin: the stream got a local reply (except the
  // reply itself, which Envoy encodes through the plugin), was reset, or ended.
  bool stopped() const { return (local_response_.has_value() && !encoding_local_reply_) || reset_ || finished_; }
  void encodeLocalReply();

  Model* model_;
  uint32_t id_;
  uint32_t root_;
  uint64_t seq_ = 0;  // creation order (the model's stream table)
  bool created_ = false;
  Direction request_, response_;
  std::optional<LocalResponse> local_response_;
  bool encoding_local_reply_ = false;
  bool reset_ = false;
  std::string reset_details_;
  bool finished_ = false;
  bool in_log_ = false;
  bool pending_done_ = false;  // spec finalization: on_done returned false
  // Which callback is running (for buffer availability).
  enum class Phase { None, RequestHeaders, RequestBody, RequestTrailers, ResponseHeaders, ResponseBody, ResponseTrailers, Log } phase_ = Phase::None;
  bool body_end_ = false;
  std::map<std::string, std::string> properties_;
  std::map<std::string, std::string> filter_state_;  // proxy_set_property
};

}  // namespace proxy_wasm::host
