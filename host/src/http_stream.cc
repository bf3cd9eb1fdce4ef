// HTTP streams: Envoy's filter-chain behaviour around the plugin (lazy context, pause,
// buffering, local replies, finalization), and the host functions that act on a stream:
// buffers, header maps by phase, continue/close, send_local_response (http_stream.h).
#include "proxy_wasm/host/model.h"

#include <algorithm>
#include "util.h"

namespace proxy_wasm::host {

HttpStream& Model::newHttpStream(uint32_t root_id) {
  releaseFinished();
  const uint64_t seq = next_stream_seq_++;
  auto& slot = live_streams_[seq];
  slot.reset(new HttpStream(this, 0, defaultRoot(root_id), seq));
  return *slot;
}

// Envoy creates the stream's context lazily: at the request headers, or in the access-log
// hook for a stream whose filter was never reached.
void HttpStream::ensureCreated() {
  if (created_) return;
  Model& h = *model_;
  created_ = true;
  id_ = h.nextContextId();
  h.contexts_[id_] = Model::ContextRecord{id_, root_, Model::ContextRecord::Http, this, nullptr};
  h.call(Callback::ContextCreate, id_, {id_, root_});
}

Action HttpStream::sendRequestHeaders(const HeaderList& headers, bool end_of_stream) {
  if (stopped() || request_.has_headers) return Action::Continue;
  ensureCreated();
  return sendHeaders(true, headers, end_of_stream);
}

Action HttpStream::sendResponseHeaders(const HeaderList& headers, bool end_of_stream) {
  if (stopped() || response_.has_headers || !created_) return Action::Continue;
  return sendHeaders(false, headers, end_of_stream);
}

Action HttpStream::sendHeaders(bool request, const HeaderList& headers, bool end_of_stream) {
  Model& h = *model_;
  Direction& d = request ? request_ : response_;
  d.headers = HeaderList(headers.entries());
  d.has_headers = true;
  d.complete = end_of_stream;
  phase_ = request ? Phase::RequestHeaders : Phase::ResponseHeaders;
  d.headers_live = true;
  auto r = h.call(request ? Callback::RequestHeaders : Callback::ResponseHeaders, id_,
                  {id_, uint32_t(d.headers.size()), end_of_stream ? 1u : 0u});
  phase_ = Phase::None;
  Action a = toAction(r);
  if (!r) {
    failStream();
  } else if (stopped()) {
    a = Action::Pause;
  } else if (a == Action::Continue) {
    d.headers_forwarded = true;
    d.headers_live = false;  // Envoy: request_headers_ / response_headers_ = nullptr
  } else {
    d.state = Flow::HeadersPaused;
  }
  h.runDeferred();
  return a;
}

Action HttpStream::sendRequestBody(std::string_view chunk, bool end_of_stream) {
  return sendBody(true, chunk, end_of_stream);
}

Action HttpStream::sendResponseBody(std::string_view chunk, bool end_of_stream) {
  return sendBody(false, chunk, end_of_stream);
}

void HttpStream::failStream() {
  if (response_.headers_forwarded) {
    if (!reset_) {
      reset_ = true;
      reset_details_ = "wasm_fail_stream";
    }
    return;
  }
  if (!local_response_) local_response_ = LocalResponse{503, "wasm_fail_stream", "", {}, uint32_t(GrpcStatus::Unavailable)};
}

void HttpStream::tooLarge(bool request) {
  if (request) {
    local_response_ = LocalResponse{413, "request_payload_too_large", "Payload Too Large", {}, std::nullopt};
  } else if (response_.headers_forwarded) {
    reset_ = true;  // too late for a 500: the response headers went downstream
    reset_details_ = "response_payload_too_large";
    return;
  } else {
    local_response_ = LocalResponse{500, "response_payload_too_large", "Internal Server Error", {}, std::nullopt};
  }
  model_->deferred_.push_back([this] { encodeLocalReply(); });
}

// Envoy sends a local reply (the plugin's own, or one of Envoy's such as a 413) through the
// encoder filters, this plugin included: on_response_headers and on_response_body see it.
// Only the reply to a failed VM (wasm_fail_stream) skips the plugin.
void HttpStream::encodeLocalReply() {
  if (!local_response_ || finished_ || reset_ || response_.has_headers) return;
  LocalResponse reply = *local_response_;
  HeaderList headers;
  const auto content_type = request_.headers.get("content-type");
  if (content_type && content_type->substr(0, 16) == "application/grpc") {
    // A gRPC request gets a trailers-only gRPC response: HTTP 200, the status in
    // grpc-status (given, or mapped from the HTTP code as Envoy does), the body as
    // grpc-message.
    uint32_t grpc = reply.grpc_status ? *reply.grpc_status : 2;  // Unknown
    if (!reply.grpc_status) {
      switch (reply.status) {
        case 400: grpc = 13; break;  // Internal
        case 401: grpc = 16; break;  // Unauthenticated
        case 403: grpc = 7; break;   // PermissionDenied
        case 404: grpc = 12; break;  // Unimplemented
        case 429: case 502: case 503: case 504: grpc = 14; break;  // Unavailable
        default: break;
      }
    }
    headers.add(":status", "200");
    headers.add("content-type", "application/grpc");
    headers.add("grpc-status", std::to_string(grpc));
    if (!reply.body.empty()) headers.add("grpc-message", reply.body);
    reply.body.clear();
  } else {
    headers.add(":status", std::to_string(reply.status));
    if (!reply.body.empty()) {
      headers.add("content-length", std::to_string(reply.body.size()));
      headers.add("content-type", "text/plain");
    }
  }
  for (auto& [k, v] : reply.headers.entries()) headers.add(k, v);
  encoding_local_reply_ = true;
  sendHeaders(false, headers, reply.body.empty());
  if (!reply.body.empty() && !reset_ && !finished_) {
    response_.complete = true;
    if (response_.state == Flow::HeadersPaused) {
      response_.held = reply.body;
      response_.held_end = true;
    } else {
      response_.buffer = reply.body;
      runBody(false, true);
    }
  }
  encoding_local_reply_ = false;
}

Action HttpStream::sendBody(bool request, std::string_view chunk, bool end_of_stream) {
  Direction& d = request ? request_ : response_;
  if (stopped() || !d.has_headers || d.complete) return Action::Continue;
  if (end_of_stream) d.complete = true;
  if (d.state == Flow::HeadersPaused) {
    // StopAllIterationAndWatermark: Envoy holds the body under flow control (no size
    // error); the plugin sees it after resuming.
    d.held.append(chunk);
    d.held_end = d.held_end || end_of_stream;
    return Action::Continue;
  }
  const bool buffering = d.state == Flow::BodyPaused;
  d.buffer.append(chunk);
  if (buffering && d.buffer.size() > model_->options_.buffer_limit) {
    // Envoy's addDecodedData/addEncodedData over the limit: the local reply (or reset)
    // destroys the filter, and the VM is not called again.
    tooLarge(request);
    model_->runDeferred();
    return Action::Pause;
  }
  const Action a = runBody(request, end_of_stream);
  model_->runDeferred();
  return a;
}

// Calls on_*_body with the whole visible buffer; forwards it on Continue.
Action HttpStream::runBody(bool request, bool end_of_stream) {
  Direction& d = request ? request_ : response_;
  Model& h = *model_;
  phase_ = request ? Phase::RequestBody : Phase::ResponseBody;
  body_end_ = end_of_stream;
  d.body_dropped = false;  // Envoy: request_body_buffer_ = &data
  auto r = h.call(request ? Callback::RequestBody : Callback::ResponseBody, id_,
                  {id_, uint32_t(d.buffer.size()), end_of_stream ? 1u : 0u});
  phase_ = Phase::None;
  Action a = toAction(r);
  if (!r) {
    failStream();
    return Action::Pause;
  }
  if (stopped()) return Action::Pause;
  if (a == Action::Continue) {
    d.forwarded += d.buffer;
    d.buffer.clear();
    d.state = Flow::Flowing;
  } else {
    d.state = Flow::BodyPaused;  // StopIterationAndBuffer
    if (d.buffer.size() > h.options_.buffer_limit) tooLarge(request);
  }
  return a;
}

// Calls on_*_trailers; Continue forwards the buffered body and the trailers.
Action HttpStream::runTrailers(bool request) {
  Direction& d = request ? request_ : response_;
  phase_ = request ? Phase::RequestTrailers : Phase::ResponseTrailers;
  d.trailers_live = true;
  auto r = model_->call(request ? Callback::RequestTrailers : Callback::ResponseTrailers, id_,
                       {id_, uint32_t(d.trailers.size())});
  phase_ = Phase::None;
  Action a = toAction(r);
  if (!r) failStream();
  if (stopped()) return Action::Pause;
  if (a == Action::Continue) {
    d.forwarded += d.buffer;
    d.buffer.clear();
    d.state = Flow::Flowing;
    d.trailers_live = false;  // Envoy: request_trailers_/response_trailers_ = nullptr
  } else if (d.state != Flow::BodyPaused) {
    d.state = Flow::TrailersPaused;  // no body buffered behind it
  }
  return a;
}

Action HttpStream::sendRequestTrailers(const HeaderList& trailers) { return sendTrailers(true, trailers); }

Action HttpStream::sendResponseTrailers(const HeaderList& trailers) { return sendTrailers(false, trailers); }

Action HttpStream::sendTrailers(bool request, const HeaderList& trailers) {
  Direction& d = request ? request_ : response_;
  if (stopped() || !d.has_headers || d.complete) return Action::Continue;
  d.trailers = HeaderList(trailers.entries());
  d.has_trailers = true;
  d.complete = true;
  if (d.state == Flow::HeadersPaused) {
    d.held_trailers = true;
    return Action::Continue;
  }
  const Action a = runTrailers(request);
  model_->runDeferred();
  return a;
}

// continue_stream, applied after the VM call that asked for it.
void HttpStream::resume(bool request) {
  Direction& d = request ? request_ : response_;
  if (stopped()) return;
  if (d.state == Flow::HeadersPaused) {
    d.state = Flow::Flowing;
    d.headers_forwarded = true;
    // Envoy's commonContinue: the held body, then the held trailers, from this filter on.
    if (!d.held.empty() || (d.held_end && !d.held_trailers)) {
      d.buffer = std::move(d.held);
      d.held.clear();
      runBody(request, d.held_end && !d.held_trailers);
      if (stopped()) return;
    }
    if (d.held_trailers) {
      d.held_trailers = false;
      runTrailers(request);
    }
  } else if (d.state == Flow::BodyPaused || d.state == Flow::TrailersPaused) {
    d.forwarded += d.buffer;
    d.buffer.clear();
    d.state = Flow::Flowing;
  }
}

void HttpStream::setProperty(std::string_view path, std::string_view value) {
  properties_[std::string(path)] = std::string(value);
}

void HttpStream::finish() {
  if (finished_ || pending_done_) return;
  ensureCreated();  // a stream that never reached the filter still gets on_log (access log)
  model_->finalizeHttp(*this);
}

void Model::finalizeHttp(HttpStream& s) {
  const uint32_t id = s.id_;
  if (options_.http_finalization == Finalization::Envoy) {
    logHttp(s);
    call(Callback::Done, id, {id});  // result ignored for streams
  } else {
    auto done = call(Callback::Done, id, {id});
    if (done && *done == 0) {
      s.pending_done_ = true;  // the spec: on_log and on_delete wait for proxy_done
      runDeferred();
      return;
    }
    logHttp(s);
  }
  deleteHttp(s);
  runDeferred();
}

// Spec finalization of a stream whose on_done returned false, after its proxy_done.
void Model::logAndDeleteHttp(HttpStream& s) {
  s.pending_done_ = false;
  logHttp(s);
  deleteHttp(s);
}

// on_log, with the access-log view of the maps (read-only).
void Model::logHttp(HttpStream& s) {
  s.in_log_ = true;
  s.phase_ = HttpStream::Phase::Log;
  call(Callback::Log, s.id_, {s.id_});
  s.phase_ = HttpStream::Phase::None;
  s.in_log_ = false;
}

void Model::deleteHttp(HttpStream& s) {
  call(Callback::Delete, s.id_, {s.id_});
  s.finished_ = true;
  contexts_.erase(s.id_);
  retire(s);
}

Status Model::hGetBufferBytes(uint32_t type, uint64_t start, uint64_t max, std::string& out) {
  if (type > kMaxBufferType) return Status::BadArgument;
  const std::string* buf = nullptr;
  std::string scratch;
  switch (BufferType(type)) {
    case BufferType::HttpRequestBody:
    case BufferType::HttpResponseBody:
    case BufferType::DownstreamData:
    case BufferType::UpstreamData:
      buf = liveBuffer(type);  // outside its phase: Ok with 0/0 (Envoy)
      break;
    case BufferType::HttpCallResponseBody:
      if (!callout_body_) return Status::NotFound;
      buf = callout_body_;
      break;
    case BufferType::GrpcReceiveBuffer:
      buf = grpc_message_;  // Envoy always has this buffer: empty outside on_grpc_receive
      break;
    case BufferType::VmConfiguration:
      buf = &options_.vm_configuration;
      break;
    case BufferType::PluginConfiguration: {
      RootRecord* r = rootRecord(rootOf(effective()));
      if (!r || !r->configuring) return Status::NotFound;
      buf = &r->plugin.configuration;
      break;
    }
    case BufferType::CallData:
      if (!foreign_args_) return Status::NotFound;
      buf = foreign_args_;
      break;
  }
  out.clear();
  if (!buf || start >= buf->size() || max == 0) return Status::Ok;
  out = buf->substr(size_t(start), size_t(std::min<uint64_t>(max, buf->size() - start)));
  return Status::Ok;
}

Status Model::hSetBufferBytes(uint32_t type, uint64_t start, uint64_t size, std::string_view data) {
  if (type > kMaxBufferType) return Status::BadArgument;
  std::string* buf = nullptr;
  if (type <= 3) {
    // Envoy always has a buffer object for these; without data behind it (outside the
    // body/data callback, unless the plugin paused it) copyFrom is BadArgument.
    buf = liveBuffer(type);
    if (!buf) return Status::BadArgument;
  } else {
    // Read-only (call response, gRPC message, configurations, arguments); the call
    // response and plugin configuration do not exist outside their callbacks (NotFound).
    if (type == uint32_t(BufferType::HttpCallResponseBody) && !callout_body_) return Status::NotFound;
    if (type == uint32_t(BufferType::PluginConfiguration)) {
      RootRecord* r = rootRecord(rootOf(effective()));
      if (!r || !r->configuring) return Status::NotFound;
    }
    return Status::BadArgument;
  }
  // Envoy's Buffer::copyFrom semantics: start 0 drops `size` bytes then prepends; start at
  // or past the end appends; anything in between is unsupported.
  if (start == 0) {
    buf->erase(0, size_t(std::min<uint64_t>(size, buf->size())));
    buf->insert(0, data);
  } else if (start >= buf->size()) {
    buf->append(data);
  } else {
    return Status::BadArgument;
  }
  return Status::Ok;
}

// Envoy's pointer to a body or TCP data buffer: the data of the running callback, or what
// the plugin paused (buffering); null otherwise. continue_stream drops the request chunk.
std::string* Model::liveBuffer(uint32_t type) {
  if (type <= 1) {
    HttpStream* s = effectiveHttp();
    if (!s) return nullptr;
    const bool request = type == 0;
    HttpStream::Direction& d = request ? s->request_ : s->response_;
    if (d.state == HttpStream::Flow::BodyPaused) return &d.buffer;
    if (d.body_dropped) return nullptr;
    return s->phase_ == (request ? HttpStream::Phase::RequestBody : HttpStream::Phase::ResponseBody) ? &d.buffer
                                                                                                    : nullptr;
  }
  TcpConnection* c = effectiveTcp();
  if (!c) return nullptr;
  TcpConnection::Direction& d = type == 2 ? c->downstream_ : c->upstream_;
  const bool in = type == 2 ? c->in_downstream_ : c->in_upstream_;
  return (in || d.paused) ? &d.buffer : nullptr;
}

Status Model::hGetBufferStatus(uint32_t type, uint64_t& size, uint32_t& flags) {
  if (type > kMaxBufferType) return Status::BadArgument;
  std::string bytes;
  const Status s = hGetBufferBytes(type, 0, ~0ull, bytes);
  if (s != Status::Ok) return s;
  size = bytes.size();
  flags = 0;
  return Status::Ok;
}

// Maps 4-7 (gRPC metadata, callout response headers and trailers) are only readable, and
// only in their own callbacks.
HeaderList* Model::mapFor(uint32_t type, bool mutable_map, Status& error) {
  error = Status::BadArgument;
  if (type > kMaxMapType) return nullptr;
  if (type >= 4) {
    if (mutable_map) return nullptr;
    const HeaderList* m = type == 4 ? grpc_initial_ : type == 5 ? grpc_trailing_ : type == 6 ? callout_headers_ : callout_trailers_;
    return const_cast<HeaderList*>(m);
  }
  HttpStream* s = effectiveHttp();
  if (!s) return nullptr;
  const bool request = type == 0 || type == 1;
  HttpStream::Direction& d = request ? s->request_ : s->response_;
  const bool trailers = type == 1 || type == 3;
  if (s->in_log_) {
    // Access-log phase: request and response headers and response trailers are readable
    // (Envoy's access-log maps); nothing is mutable.
    if (mutable_map || type == 1) return nullptr;
    if (trailers) return d.has_trailers ? &d.trailers : nullptr;
    return d.has_headers ? &d.headers : nullptr;
  }
  if (!trailers) return d.headers_live ? &d.headers : nullptr;
  if (d.trailers_live) return &d.trailers;
  // Envoy's getMap creates trailers from the last body callback (addDecodedTrailers).
  const bool in_body = s->phase_ == (request ? HttpStream::Phase::RequestBody : HttpStream::Phase::ResponseBody);
  if (mutable_map && in_body && s->body_end_ && !d.has_trailers) {
    d.has_trailers = true;
    d.trailers_live = true;
    return &d.trailers;
  }
  return nullptr;
}

Status Model::hGetHeaderMapSize(uint32_t type, uint64_t& size) {
  if (type > kMaxMapType || type >= 4) return Status::BadArgument;
  Status error;
  HeaderList* m = mapFor(type, true, error);  // Envoy uses the mutable map: BA in on_log
  if (!m) return error;
  size = m->byteSize();
  return Status::Ok;
}

Status Model::hGetHeaderMapPairs(uint32_t type, std::string& out) {
  if (type > kMaxMapType) return Status::BadArgument;
  Status error;
  HeaderList* m = mapFor(type, false, error);
  out = m ? m->serialize() : std::string();  // unavailable: Ok with an empty map
  return Status::Ok;
}

Status Model::hSetHeaderMapPairs(uint32_t type, std::string_view pairs) {
  Status error;
  HeaderList* m = mapFor(type, true, error);
  if (!m) return error;
  HeaderList parsed = HeaderList::parse(pairs);  // malformed: empty, which clears the map
  m->clear();
  for (auto& [k, v] : parsed.entries()) m->add(k, v);
  return Status::Ok;
}

Status Model::hGetHeaderMapValue(uint32_t type, std::string_view key, std::string& out) {
  if (type > kMaxMapType) return Status::BadArgument;
  Status error;
  HeaderList* m = mapFor(type, false, error);
  if (!m) {
    HttpStream* s = effectiveHttp();
    return (s && s->in_log_) ? Status::NotFound : error;
  }
  auto v = m->get(key);
  if (!v) return Status::NotFound;
  out = std::string(*v);
  return Status::Ok;
}

Status Model::hAddHeaderMapValue(uint32_t type, std::string_view key, std::string_view value) {
  Status error;
  HeaderList* m = mapFor(type, true, error);
  if (!m) return error;
  m->add(key, value);
  return Status::Ok;
}

Status Model::hReplaceHeaderMapValue(uint32_t type, std::string_view key, std::string_view value) {
  Status error;
  HeaderList* m = mapFor(type, true, error);
  if (!m) return error;
  m->replace(key, value);
  return Status::Ok;
}

Status Model::hRemoveHeaderMapValue(uint32_t type, std::string_view key) {
  Status error;
  HeaderList* m = mapFor(type, true, error);
  if (!m) return error;
  m->remove(key);
  return Status::Ok;
}

Status Model::hContinueStream(uint32_t type) {
  if (type > kMaxStreamType) return Status::BadArgument;
  if (StreamType(type) == StreamType::Upstream) return Status::Unimplemented;
  if (type <= 1) {
    HttpStream* s = effectiveHttp();
    if (!s) return Status::Ok;  // no decoder/encoder callbacks: nothing to do
    const bool request = type == 0;
    deferred_.push_back([s, request] { s->resume(request); });
    // Envoy forgets its request maps and body at once, for REQUEST and RESPONSE alike.
    s->request_.headers_live = false;
    s->request_.trailers_live = false;
    s->request_.body_dropped = true;
    return Status::Ok;
  }
  TcpConnection* c = effectiveTcp();
  if (c) {
    deferred_.push_back([c] {
      if (c->finished_) return;
      c->downstream_.forwarded += c->downstream_.buffer;
      c->downstream_.buffer.clear();
      c->downstream_.paused = false;
    });
  }
  return Status::Ok;
}

Status Model::hCloseStream(uint32_t type) {
  if (type > kMaxStreamType) return Status::BadArgument;
  if (type <= 1) {
    if (HttpStream* s = effectiveHttp()) {
      deferred_.push_back([s] {
        if (s->reset_ || s->finished_) return;
        s->reset_ = true;
        s->reset_details_ = "wasm_close_stream";
      });
    }
  } else if (TcpConnection* c = effectiveTcp()) {
    // DOWNSTREAM and UPSTREAM both close the downstream connection (FlushWrite); its
    // LocalClose event reports on_downstream_connection_close(Local) and ends the context.
    deferred_.push_back([c] {
      if (c->closed_ || c->finished_) return;
      c->closed_ = true;
      c->closeDownstream(PeerType::Local);
    });
  }
  return Status::Ok;
}

Status Model::hSendLocalResponse(uint32_t status, std::string_view details, std::string_view body,
                                std::string_view headers, uint32_t grpc_status) {
  HttpStream* s = effectiveHttp();
  if (!s) return Status::Ok;  // no HTTP stream (root, TCP): a no-op
  if (s->response_.headers_forwarded || s->local_response_ || s->reset_) {
    // Envoy cannot send a reply once response headers went downstream.
    violation("proxy_send_local_response after the response headers were sent (ignored)");
    return Status::Ok;
  }
  LocalResponse lr;
  lr.status = status;
  lr.details = std::string(details);
  for (char& c : lr.details)  // Envoy's StringUtil::replaceAllEmptySpace
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') c = '_';
  lr.body = std::string(body);
  const HeaderList added = HeaderList::parse(headers);
  for (auto& [k, v] : added.entries()) lr.headers.add(k, v);
  if (grpc_status <= 16) lr.grpc_status = grpc_status;
  s->local_response_ = std::move(lr);
  deferred_.push_back([s] { s->encodeLocalReply(); });  // sent after the callback returns
  return Status::Ok;
}

}  // namespace proxy_wasm::host
