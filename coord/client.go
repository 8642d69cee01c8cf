package coord

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// APIError is a refusal from the controller. errors.Is matches it against
// the package's sentinel errors (ErrFenced, ErrStaleEpoch, ...).
type APIError struct {
	Status int
	Code   string
	Msg    string
	Epoch  uint64 // the controller's epoch when it answered
}

func (e *APIError) Error() string {
	return fmt.Sprintf("coord api: %d %s: %s", e.Status, e.Code, e.Msg)
}

// Unwrap maps the error code back to a sentinel error.
func (e *APIError) Unwrap() error {
	for _, c := range errorCodes {
		if c.code == e.Code {
			return c.err
		}
	}
	return nil
}

// Client is the typed client of the controller API. It knows every replica's
// address, prefers the last one that answered as leader, follows redirects
// to the leader and retries across replicas on network errors and while no
// leader is elected, until its context ends.
type Client struct {
	key   []byte
	hc    *http.Client
	mu    sync.Mutex
	addrs []string
	pref  string // address of the replica that last served a leader request
	// Retry is the pause between attempts when no replica can serve (default 50 ms).
	Retry time.Duration
}

// NewClient returns a client for the replicas at addrs (host:port of their APIs).
func NewClient(addrs []string, key []byte) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	return &Client{
		key:   append([]byte(nil), key...),
		addrs: append([]string(nil), addrs...),
		hc: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // redirects are re-signed and followed by do
		}},
		Retry: 50 * time.Millisecond,
	}
}

// CloseIdleConnections releases pooled connections.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

func (c *Client) order() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.addrs)+1)
	if c.pref != "" {
		out = append(out, c.pref)
	}
	for _, a := range c.addrs {
		if a != c.pref {
			out = append(out, a)
		}
	}
	return out
}

// do sends one request, trying replicas in turn, and decodes the reply into out.
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("coord client: encode %s: %w", path, err)
		}
	}
	if method == http.MethodPost {
		// One id per logical call: a retry after a lost reply is applied once.
		var id [12]byte
		rand.Read(id[:])
		path += "?req=" + hex.EncodeToString(id[:])
	}
	var last error
	for {
		for _, addr := range c.order() {
			// Follow at most a few redirects from this starting replica.
			target := addr
			for hop := 0; hop < 3; hop++ {
				loc, err := c.once(ctx, method, target, path, body, out)
				if err == nil {
					if method == http.MethodPost {
						c.mu.Lock()
						c.pref = target
						c.mu.Unlock()
					}
					return nil
				}
				var ae *APIError
				if errors.As(err, &ae) && ae.Status != http.StatusServiceUnavailable {
					return err
				}
				last = err
				if loc == "" {
					break
				}
				target = loc
			}
			if ctx.Err() != nil {
				return fmt.Errorf("coord client: %s %s: %w (last error: %v)", method, path, ctx.Err(), last)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("coord client: %s %s: %w (last error: %v)", method, path, ctx.Err(), last)
		case <-time.After(c.Retry):
		}
	}
}

// once sends the request to one replica. It returns the redirect target (a
// host:port) when the replica points at the leader.
func (c *Client) once(ctx context.Context, method, addr, path string, body []byte, out any) (string, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://"+addr+path, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("coord client: %w", err)
	}
	date := strconv.FormatInt(time.Now().UnixMilli(), 10)
	req.Header.Set(dateHeader, date)
	req.Header.Set("Authorization", Sign(c.key, method, req.URL.RequestURI(), date, body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("coord client: %s %s: %w", method, addr, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return "", fmt.Errorf("coord client: read %s: %w", addr, err)
	}
	switch {
	case resp.StatusCode == http.StatusTemporaryRedirect:
		u, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || u.Host == "" {
			return "", fmt.Errorf("coord client: bad redirect from %s", addr)
		}
		return u.Host, &APIError{Status: http.StatusServiceUnavailable, Code: "not_leader", Msg: "redirected to " + u.Host}
	case resp.StatusCode != http.StatusOK:
		var er errorReply
		if json.Unmarshal(b, &er) != nil || er.Code == "" {
			er = errorReply{Error: string(bytes.TrimSpace(b)), Code: "http_" + strconv.Itoa(resp.StatusCode)}
		}
		return "", &APIError{Status: resp.StatusCode, Code: er.Code, Msg: er.Error, Epoch: er.Epoch}
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return "", fmt.Errorf("coord client: decode reply from %s: %w", addr, err)
		}
	}
	return "", nil
}

// SetJob sets the job (once; setting the same job again is a no-op).
func (c *Client) SetJob(ctx context.Context, j Job) (OKReply, error) {
	var r OKReply
	return r, c.do(ctx, http.MethodPost, "/v1/job", j, &r)
}

// Register adds this node as a new member and returns its id.
func (c *Client) Register(ctx context.Context, addr string, capacity int) (RegisterReply, error) {
	var r RegisterReply
	return r, c.do(ctx, http.MethodPost, "/v1/register", RegisterRequest{Addr: addr, Capacity: capacity}, &r)
}

// Heartbeat renews node's lease. errors.Is(err, ErrFenced) means the node
// was declared dead and must stop and register again.
func (c *Client) Heartbeat(ctx context.Context, node string, epoch uint64) (HeartbeatReply, error) {
	var r HeartbeatReply
	return r, c.do(ctx, http.MethodPost, "/v1/heartbeat", HeartbeatRequest{Node: node, Epoch: epoch}, &r)
}

// Report reports that rank's shards of a checkpoint are stored.
func (c *Client) Report(ctx context.Context, rep ReportCmd) (ReportReply, error) {
	var r ReportReply
	return r, c.do(ctx, http.MethodPost, "/v1/report", rep, &r)
}

// Watch returns the state once its version exceeds after, or after timeout
// with the state unchanged.
func (c *Client) Watch(ctx context.Context, after uint64, timeout time.Duration) (Status, error) {
	var r Status
	path := "/v1/watch?after=" + strconv.FormatUint(after, 10) + "&timeout_ms=" + strconv.FormatInt(timeout.Milliseconds(), 10)
	return r, c.do(ctx, http.MethodGet, path, nil, &r)
}

// Status returns the state as the first replica that answers sees it.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var r Status
	return r, c.do(ctx, http.MethodGet, "/v1/status", nil, &r)
}

// Pull declares node failed now (operator action).
func (c *Client) Pull(ctx context.Context, node string) (OKReply, error) {
	var r OKReply
	return r, c.do(ctx, http.MethodPost, "/v1/pull", NodeRequest{Node: node}, &r)
}

// Drain moves node's ranks away at the next committed checkpoint.
func (c *Client) Drain(ctx context.Context, node string) (OKReply, error) {
	var r OKReply
	return r, c.do(ctx, http.MethodPost, "/v1/drain", NodeRequest{Node: node}, &r)
}

// CheckpointNow asks the ranks for a checkpoint as soon as possible.
func (c *Client) CheckpointNow(ctx context.Context) (OKReply, error) {
	var r OKReply
	return r, c.do(ctx, http.MethodPost, "/v1/checkpoint", EmptyRequest{}, &r)
}

// Pause pauses the job.
func (c *Client) Pause(ctx context.Context) (OKReply, error) {
	var r OKReply
	return r, c.do(ctx, http.MethodPost, "/v1/pause", EmptyRequest{}, &r)
}

// Resume resumes a paused job.
func (c *Client) Resume(ctx context.Context) (OKReply, error) {
	var r OKReply
	return r, c.do(ctx, http.MethodPost, "/v1/resume", EmptyRequest{}, &r)
}

// AddReplica adds a controller replica as a raft voter.
func (c *Client) AddReplica(ctx context.Context, id, raftAddr, httpAddr string) error {
	return c.do(ctx, http.MethodPost, "/v1/replicas/add", ReplicaRequest{ID: id, RaftAddr: raftAddr, HTTPAddr: httpAddr}, nil)
}

// RemoveReplica removes a controller replica (the leader hands leadership
// over first when it is the one removed).
func (c *Client) RemoveReplica(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodPost, "/v1/replicas/remove", ReplicaRequest{ID: id}, nil)
}
