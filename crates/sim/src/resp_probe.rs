//! One RESP request to an instance, the way the world's probes and operator actions ask it, in
//! both builds: the simulator's world (`tokio` is madsim's there) and real mode (real tokio).

use resp::{Conn, Value};
use std::net::SocketAddr;
use std::time::Duration;

/// Sends one command and waits for its reply, or None on any failure or after `timeout`.
pub async fn request(addr: SocketAddr, args: &[String], timeout: Duration) -> Option<Value> {
    request_as(addr, None, args, timeout).await
}

/// As [`request`], after `AUTH <password>` when one is given (a data node with `requirepass`);
/// None if AUTH is refused.
pub async fn request_as(addr: SocketAddr, password: Option<&str>, args: &[String], timeout: Duration) -> Option<Value> {
    let fut = async {
        let stream = tokio::net::TcpStream::connect(addr).await.ok()?;
        let mut conn = Conn::new(stream);
        if let Some(p) = password {
            conn.write_command(&["AUTH", p]).await.ok()?;
            if !matches!(conn.read_value().await.ok()?, Value::Simple(ref s) if s == "OK") {
                return None;
            }
        }
        conn.write_command(args).await.ok()?;
        conn.read_value().await.ok()
    };
    tokio::time::timeout(timeout, fut).await.ok().flatten()
}

/// A reply as redis-cli shows it on one line.
pub fn show(v: &Value) -> String {
    match v {
        Value::Simple(s) => s.clone(),
        Value::Error(e) => format!("(error) {e}"),
        Value::Int(i) => format!("(integer) {i}"),
        Value::Bulk(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Nil | Value::NilArray => "(nil)".into(),
        Value::Array(a) => a.iter().map(show).collect::<Vec<_>>().join(" "),
        other => show(&other.to_resp2()),
    }
}
