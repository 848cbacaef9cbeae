// yamuxpeer is Burrow's interop counterpart for the C# yamux implementation
// (src/Burrow.Mux). It runs the *reference* Go implementation,
// github.com/hashicorp/yamux as packaged by Debian (git df201c7, 2019), so the
// C# tests can check that both sides agree on the wire, and so benchmarks have
// a Go<->Go baseline. Build it with ../build.sh (offline, GOPATH mode).
//
// Modes (loopback addresses only):
//
//	yamuxpeer server       127.0.0.1:0   serve the stream commands below, forever
//	yamuxpeer bench-server 127.0.0.1:0   same, but the 'S' sink skips hashing
//	yamuxpeer client       127.0.0.1:PORT <streams> <bytesPerStream>
//	yamuxpeer bench-client 127.0.0.1:PORT bulk|bulk100 <bytes>
//
// Per-stream protocol: the opener writes one command byte, then:
//
//	'E' echo      bytes until FIN; the acceptor echoes them, then sends FIN
//	'S' sink      bytes until FIN; reply: 8-byte BE count + SHA-256, then FIN
//	'G' generate  8-byte BE N; reply: N bytes of (i*31+7)%251, then FIN
//	'R' reset     4-byte BE N, N bytes; the acceptor then sends RST (see injConn)
//	'O' open-back no payload; the acceptor tries to open a stream back to the
//	              opener and replies one text line: "OPENED", "REFUSED <err>"
//	              (its own session refused, e.g. after a remote GoAway),
//	              "REFUSED-BY-PEER <err>" (the peer answered the SYN with RST)
//	              or "NO-ANSWER <err>" (no echo of "Ex" within 5 s).
//
// Environment: YAMUXPEER_GOAWAY_AFTER=n makes the server send GoAway(normal)
// after accepting n streams on a session (printing "GOAWAY-SENT");
// YAMUXPEER_WATCHDOG_SECONDS overrides the client watchdog (default 60).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/yamux"
)

const chunk = 64 * 1024

// patternBuf holds the 'G' pattern from offset 0. byte[i] = (i*31+7)%251
// depends only on i%251, so any run of up to `chunk` bytes starting at
// absolute offset off is patternBuf[off%251:][:n] and never has to be computed.
var patternBuf = func() []byte {
	b := make([]byte, chunk+251)
	for i := range b {
		b[i] = byte((uint64(i)*31 + 7) % 251)
	}
	return b
}()

func pattern(off uint64, n int) []byte { s := off % 251; return patternBuf[s : s+uint64(n)] }

var outMu sync.Mutex

// say prints one line to stdout; the C# side parses these, so lines must never
// interleave (os.Stdout is unbuffered in Go, so no explicit flush is needed).
func say(format string, args ...interface{}) {
	outMu.Lock()
	defer outMu.Unlock()
	fmt.Fprintf(os.Stdout, format+"\n", args...)
}

func config() *yamux.Config {
	c := yamux.DefaultConfig() // keepalive on, 256 KiB windows, backlog 256
	c.LogOutput = os.Stderr    // stdout is reserved for the lines the tests parse
	return c
}

// injConn sits between yamux and the TCP connection. yamux df201c7 has no
// public Stream.Reset: Stream.Close only ever sends FIN, and RST is only sent
// to refuse a SYN (backlog full or after a local GoAway). To give the C# side a
// real RST on an established stream, we write the same frame yamux uses for
// refusals (Window Update, flags RST, length 0) ourselves. yamux's single send
// goroutine writes each frame as a header Write then a body Write, so we track
// frame boundaries in the outgoing bytes and only inject between frames.
type injConn struct {
	net.Conn
	mu       sync.Mutex
	hdr      [12]byte
	hdrFill  int
	bodyLeft uint32
	pending  []byte
}

func (c *injConn) atBoundary() bool { return c.hdrFill == 0 && c.bodyLeft == 0 }

func (c *injConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.Conn.Write(p)
	for q := p[:n]; len(q) > 0; {
		if c.bodyLeft > 0 { // inside a Data payload
			k := uint32(len(q))
			if k > c.bodyLeft {
				k = c.bodyLeft
			}
			c.bodyLeft -= k
			q = q[k:]
			continue
		}
		k := copy(c.hdr[c.hdrFill:], q)
		c.hdrFill += k
		q = q[k:]
		if c.hdrFill == 12 {
			c.hdrFill = 0
			if c.hdr[1] == 0 { // type Data: Length bytes of payload follow
				c.bodyLeft = binary.BigEndian.Uint32(c.hdr[8:])
			}
		}
	}
	if err == nil && len(c.pending) > 0 && c.atBoundary() {
		_, err = c.Conn.Write(c.pending)
		c.pending = nil
	}
	return n, err
}

// reset sends RST for stream id. The Go Stream object is not told (it cannot
// be), so the caller must never touch that stream again: any later frame
// from it would follow the RST on the wire.
func (c *injConn) reset(id uint32) error {
	f := make([]byte, 12)
	f[1] = 1                               // type Window Update
	binary.BigEndian.PutUint16(f[2:], 0x8) // flags RST
	binary.BigEndian.PutUint32(f[4:], id)  // length stays 0
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.atBoundary() {
		c.pending = append(c.pending, f...) // flushed after the current frame
		return nil
	}
	_, err := c.Conn.Write(f)
	return err
}

// ---------------------------------------------------------------- server side

func runServer(addr string, bench bool) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(2)
	}
	say("LISTENING %s", ln.Addr())
	goAwayAfter, _ := strconv.Atoi(os.Getenv("YAMUXPEER_GOAWAY_AFTER"))
	for {
		conn, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "accept:", err)
			os.Exit(2)
		}
		go serveSession(&injConn{Conn: conn}, bench, goAwayAfter)
	}
}

func serveSession(conn *injConn, bench bool, goAwayAfter int) {
	sess, err := yamux.Server(conn, config())
	if err != nil {
		say("SESSION-END %v", err)
		return
	}
	for accepted := 0; ; {
		st, err := sess.AcceptStream()
		if err != nil { // the session is gone; err is its shutdown reason
			say("SESSION-END %v", err)
			return
		}
		go serveStream(sess, conn, st, bench)
		if accepted++; accepted == goAwayAfter {
			// GoAway(normal) only stops *new* streams (we RST further SYNs);
			// open streams keep being served.
			if err := sess.GoAway(); err != nil {
				fmt.Fprintln(os.Stderr, "goaway:", err)
			}
			say("GOAWAY-SENT")
		}
	}
}

func serveStream(sess *yamux.Session, conn *injConn, st *yamux.Stream, bench bool) {
	cmd := make([]byte, 1)
	if _, err := io.ReadFull(st, cmd); err != nil {
		st.Close()
		return
	}
	var err error
	switch cmd[0] {
	case 'E':
		_, err = io.Copy(st, st) // until the opener's FIN (io.EOF)
	case 'S':
		h := sha256.New()
		var n int64
		buf := make([]byte, chunk)
		for err == nil {
			var k int
			k, err = st.Read(buf)
			n += int64(k)
			if !bench {
				h.Write(buf[:k])
			}
		}
		if err == io.EOF {
			reply := make([]byte, 8, 40)
			binary.BigEndian.PutUint64(reply, uint64(n))
			if bench {
				reply = append(reply, make([]byte, 32)...)
			} else {
				reply = h.Sum(reply)
			}
			_, err = st.Write(reply)
		}
	case 'G':
		var nb [8]byte
		if _, err = io.ReadFull(st, nb[:]); err == nil {
			total := binary.BigEndian.Uint64(nb[:])
			for off := uint64(0); off < total && err == nil; off += chunk {
				k := total - off
				if k > chunk {
					k = chunk
				}
				_, err = st.Write(pattern(off, int(k)))
			}
		}
	case 'R':
		var nb [4]byte
		if _, err = io.ReadFull(st, nb[:]); err == nil {
			_, err = io.ReadFull(st, make([]byte, binary.BigEndian.Uint32(nb[:])))
		}
		if err == nil {
			if err = conn.reset(st.StreamID()); err == nil {
				return // no Close: the stream must stay silent after RST
			}
		}
	case 'O':
		_, err = st.Write([]byte(probeOpen(sess) + "\n"))
	default:
		err = fmt.Errorf("unknown command %q", cmd[0])
	}
	if err != nil && err != io.EOF {
		fmt.Fprintf(os.Stderr, "stream %d cmd %q: %v\n", st.StreamID(), cmd[0], err)
	}
	st.Close() // sends FIN; the stream is freed once the opener's FIN is in too
}

// probeOpen tries to open a stream toward the opener of an 'O' stream.
func probeOpen(sess *yamux.Session) string {
	st, err := sess.OpenStream()
	if err != nil { // e.g. "remote end is not accepting connections"
		return "REFUSED " + err.Error()
	}
	defer st.Close()
	st.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err = st.Write([]byte("Ex")); err == nil { // an 'E' echo of one byte
		_, err = io.ReadFull(st, make([]byte, 1)) // peer's RST -> "connection reset"
	}
	switch {
	case err == yamux.ErrTimeout: // SYN neither accepted nor refused
		return "NO-ANSWER " + err.Error()
	case err != nil:
		return "REFUSED-BY-PEER " + err.Error()
	}
	return "OPENED"
}

// ---------------------------------------------------------------- client side

// readFull reads exactly len(buf) bytes before deadline. It exists because in
// yamux df201c7 Stream.Read returns io.EOF whenever its buffer is empty once
// *we* have called Close (state streamLocalClose), although the peer may still
// be sending; upstream fixed this later ("LocalClose only prohibits further
// local writes"). So after a local half-close an EOF is not final: retry until
// the deadline. A stream that really ends early shows up as a timeout.
func readFull(st *yamux.Stream, buf []byte, deadline time.Time) error {
	st.SetReadDeadline(deadline)
	for got := 0; got < len(buf); {
		n, err := st.Read(buf[got:])
		got += n
		switch {
		case err == io.EOF && time.Now().Before(deadline):
			time.Sleep(200 * time.Microsecond)
		case err != nil:
			return fmt.Errorf("got %d of %d bytes: %v", got, len(buf), err)
		}
	}
	return nil
}

func open(sess *yamux.Session, cmd byte, arg []byte) (*yamux.Stream, error) {
	st, err := sess.OpenStream()
	if err == nil {
		if _, err = st.Write(append([]byte{cmd}, arg...)); err != nil {
			st.Close()
		}
	}
	return st, err
}

// parallel runs f(0..n-1) concurrently and returns the first error.
func parallel(n int, f func(i int) error) error {
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) { errs <- f(i) }(i)
	}
	var first error
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func u64(v uint64) []byte { b := make([]byte, 8); binary.BigEndian.PutUint64(b, v); return b }

// sinkStream writes data() chunks after 'S', half-closes, checks the reply count.
func sinkStream(sess *yamux.Session, total int64, data func(off int64, n int) []byte, wantHash []byte) error {
	st, err := open(sess, 'S', nil)
	if err != nil {
		return err
	}
	for off := int64(0); off < total; off += chunk {
		n := int64(chunk)
		if total-off < n {
			n = total - off
		}
		if _, err = st.Write(data(off, int(n))); err != nil {
			return err
		}
	}
	st.Close() // FIN: tells the sink we are done
	reply := make([]byte, 40)
	if err = readFull(st, reply, time.Now().Add(30*time.Second)); err != nil {
		return err
	}
	if got := int64(binary.BigEndian.Uint64(reply)); got != total {
		return fmt.Errorf("sink counted %d, sent %d", got, total)
	}
	if wantHash != nil && !bytes.Equal(reply[8:], wantHash) {
		return errors.New("sink hash mismatch")
	}
	return nil
}

func runClient(addr string, streams, per int) bool {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		say("FAIL dial %v", err)
		os.Exit(2)
	}
	sess, _ := yamux.Client(conn, config())
	ok := true
	phase := func(name string, f func() (string, error)) {
		t0 := time.Now()
		detail, err := f()
		if err != nil {
			ok = false
			say("FAIL %s %v", name, err)
			return
		}
		say("OK %s %s %v", name, detail, time.Since(t0).Round(time.Microsecond))
	}
	phase("ping", func() (string, error) {
		for i := 0; i < 3; i++ {
			rtt, err := sess.Ping()
			if err != nil {
				return "", err
			}
			say("PING %v", rtt)
		}
		return "3", nil
	})
	phase("echo", func() (string, error) {
		return fmt.Sprintf("%dx%d", streams, per), parallel(streams, func(i int) error {
			data := make([]byte, per)
			rand.New(rand.NewSource(int64(i))).Read(data)
			st, err := open(sess, 'E', nil)
			if err != nil {
				return err
			}
			go func() { st.Write(data); st.Close() }() // write, then half-close
			back := make([]byte, per)
			if err := readFull(st, back, time.Now().Add(30*time.Second)); err != nil {
				return fmt.Errorf("stream %d: %v", st.StreamID(), err)
			}
			if sha256.Sum256(back) != sha256.Sum256(data) {
				return fmt.Errorf("stream %d: echo hash mismatch", st.StreamID())
			}
			return nil
		})
	})
	phase("sink", func() (string, error) {
		return "10x1MiB", parallel(10, func(i int) error {
			data := make([]byte, 1<<20)
			rand.New(rand.NewSource(int64(1000 + i))).Read(data)
			h := sha256.Sum256(data)
			return sinkStream(sess, int64(len(data)), func(off int64, n int) []byte { return data[off : off+int64(n)] }, h[:])
		})
	})
	phase("generate", func() (string, error) {
		const total = 3 << 20
		return "10x3MiB", parallel(10, func(i int) error {
			st, err := open(sess, 'G', u64(total))
			if err != nil {
				return err
			}
			if i%2 == 0 {
				st.Close() // half of them half-close before reading
			}
			defer st.Close()
			buf := make([]byte, chunk)
			deadline := time.Now().Add(30 * time.Second)
			for off := uint64(0); off < total; off += chunk {
				if err := readFull(st, buf, deadline); err != nil {
					return err
				}
				if !bytes.Equal(buf, pattern(off, chunk)) {
					return fmt.Errorf("stream %d: pattern mismatch near offset %d", st.StreamID(), off)
				}
			}
			return nil
		})
	})
	phase("reset", func() (string, error) {
		var mu sync.Mutex
		seen := map[string]int{}
		err := parallel(5, func(i int) error {
			st, err := open(sess, 'R', append([]byte{0, 0, 4, 0}, make([]byte, 1024)...))
			if err != nil {
				return err
			}
			defer st.Close()
			st.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err = st.Read(make([]byte, 1))
			if err == nil || err == io.EOF || err == yamux.ErrTimeout {
				return fmt.Errorf("stream %d: want a reset error, read gave %v", st.StreamID(), err)
			}
			mu.Lock()
			seen[err.Error()]++
			mu.Unlock()
			return nil
		})
		return fmt.Sprintf("5 errors=%q", fmt.Sprint(seen)), err
	})
	phase("goaway", func() (string, error) {
		if err := sess.GoAway(); err != nil {
			return "", err
		}
		// Our own GoAway does not stop *us* opening streams, only the peer.
		st, err := open(sess, 'O', nil)
		if err != nil {
			return "", err
		}
		defer st.Close()
		st.SetReadDeadline(time.Now().Add(10 * time.Second))
		line, err := io.ReadAll(st)
		reply := string(bytes.TrimSpace(line))
		if err == nil && !bytes.HasPrefix(line, []byte("REFUSED")) {
			err = fmt.Errorf("server could open a stream after our GoAway: %q", reply)
		}
		return fmt.Sprintf("server-open=%q", reply), err
	})
	phase("close", func() (string, error) {
		err := sess.Close() // note: df201c7 sends no GoAway here, it just closes TCP
		if err == nil && !sess.IsClosed() {
			err = errors.New("session not closed")
		}
		return "", err
	})
	return ok
}

// ---------------------------------------------------------------- benchmark

func runBench(addr, mode string, total int64) error {
	nStreams := map[string]int{"bulk": 1, "bulk100": 100}[mode]
	if nStreams == 0 {
		return fmt.Errorf("unknown bench mode %q", mode)
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	sess, _ := yamux.Client(conn, config())
	defer sess.Close()
	buf := make([]byte, chunk) // reused for every write; contents don't matter
	done, echoErr := make(chan struct{}), make(chan error, 1)
	var lat []time.Duration
	if nStreams > 1 { // bulk100: a 101st stream measures latency under load
		go func() { echoErr <- echoLoop(sess, done, &lat) }()
	}
	t0 := time.Now()
	err = parallel(nStreams, func(i int) error {
		n := total / int64(nStreams)
		if i == 0 {
			n += total % int64(nStreams)
		}
		return sinkStream(sess, n, func(_ int64, k int) []byte { return buf[:k] }, nil)
	})
	secs := time.Since(t0).Seconds()
	close(done)
	if err != nil {
		return err
	}
	say("RESULT %s %d %.3f %.1f", mode, total, secs, float64(total)/1e6/secs)
	if nStreams > 1 {
		if err := <-echoErr; err != nil || len(lat) == 0 {
			return fmt.Errorf("echo stream: %v (%d samples)", err, len(lat))
		}
		sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
		say("RESULT echo-p50 %d p99 %d n %d", lat[len(lat)/2].Microseconds(), lat[len(lat)*99/100].Microseconds(), len(lat))
	}
	return nil
}

// echoLoop does 1 KiB write + 1 KiB read-back round trips on one 'E' stream
// until done is closed, appending each round-trip time to *lat.
func echoLoop(sess *yamux.Session, done chan struct{}, lat *[]time.Duration) error {
	st, err := open(sess, 'E', nil)
	if err != nil {
		return err
	}
	defer st.Close()
	msg, back := make([]byte, 1024), make([]byte, 1024)
	for {
		select {
		case <-done:
			return nil
		default:
		}
		t0 := time.Now()
		if _, err := st.Write(msg); err != nil {
			return err
		}
		if _, err := io.ReadFull(st, back); err != nil {
			return err
		}
		*lat = append(*lat, time.Since(t0))
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: yamuxpeer server|bench-server 127.0.0.1:0\n"+
		"       yamuxpeer client 127.0.0.1:PORT <streams> <bytesPerStream>\n"+
		"       yamuxpeer bench-client 127.0.0.1:PORT bulk|bulk100 <bytes>")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 3 {
		usage()
	}
	mode, addr := os.Args[1], os.Args[2]
	if mode == "server" || mode == "bench-server" {
		runServer(addr, mode == "bench-server")
		return
	}
	if len(os.Args) != 5 {
		usage()
	}
	// Clients must end in bounded time even if the peer under test hangs.
	wd := 60
	if v, err := strconv.Atoi(os.Getenv("YAMUXPEER_WATCHDOG_SECONDS")); err == nil && v > 0 {
		wd = v
	}
	time.AfterFunc(time.Duration(wd)*time.Second, func() { say("FAIL timeout"); os.Exit(3) })
	a, errA := strconv.ParseInt(os.Args[3], 10, 64)
	b, errB := strconv.ParseInt(os.Args[4], 10, 64)
	switch {
	case mode == "client" && errA == nil && errB == nil && a > 0 && b >= 0:
		if !runClient(addr, int(a), int(b)) {
			os.Exit(1)
		}
	case mode == "bench-client" && errB == nil && b > 0:
		if err := runBench(addr, os.Args[3], b); err != nil {
			say("FAIL bench %v", err)
			os.Exit(1)
		}
	default:
		usage()
	}
}
