//! `cargo bench -p instatus --bench client`: the client's own cost per request, and the
//! emulator's throughput for simple GETs, both on loopback.
//!
//! The client's overhead is measured against a baseline that sends the same bytes over a raw
//! keep-alive socket and reads the answer with a minimal parser: the difference is what the client
//! adds (URL and header building, ureq, JSON decoding, the retry bookkeeping).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use instatus::{api, Client};
use instatus_emulator::{Config, Emulator};

const SEQUENTIAL: u32 = 5_000;
const THROUGHPUT_FOR: Duration = Duration::from_secs(3);

fn raw_get(stream: &mut BufReader<TcpStream>, request: &[u8]) -> usize {
    stream.get_mut().write_all(request).unwrap();
    let mut length = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        stream.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).unwrap();
    length
}

fn raw_request(emulator: &Emulator) -> Vec<u8> {
    format!(
        "GET /v1/user HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nAccept: application/json\r\n\r\n",
        emulator.addr(),
        emulator.api_key()
    )
    .into_bytes()
}

fn per_request(total: Duration, n: u32) -> f64 {
    total.as_secs_f64() * 1e6 / f64::from(n)
}

fn main() {
    let emulator = Emulator::start(Config::default()).unwrap();
    let request = raw_request(&emulator);

    // Warm up both paths.
    let mut raw = BufReader::new(TcpStream::connect(emulator.addr()).unwrap());
    raw.get_mut().set_nodelay(true).unwrap();
    let client = Client::builder(emulator.api_key())
        .base_url(emulator.url())
        .build()
        .unwrap();
    for _ in 0..500 {
        raw_get(&mut raw, &request);
        client.send(api::user::get()).unwrap();
    }
    emulator.clear_requests();

    let start = Instant::now();
    for _ in 0..SEQUENTIAL {
        raw_get(&mut raw, &request);
    }
    let raw_us = per_request(start.elapsed(), SEQUENTIAL);

    let start = Instant::now();
    for _ in 0..SEQUENTIAL {
        client.send(api::user::get()).unwrap();
    }
    let client_us = per_request(start.elapsed(), SEQUENTIAL);

    // Throughput: two keep-alive connections hammering GET /v1/user (2 cores: one for the
    // load, one for the server, roughly).
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let addr = emulator.addr();
            let request = request.clone();
            std::thread::spawn(move || {
                let mut s = BufReader::new(TcpStream::connect(addr).unwrap());
                s.get_mut().set_nodelay(true).unwrap();
                let start = Instant::now();
                let mut n = 0u64;
                while start.elapsed() < THROUGHPUT_FOR {
                    raw_get(&mut s, &request);
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let rps = total as f64 / THROUGHPUT_FOR.as_secs_f64();

    println!(
        "instatus client benchmark (loopback, GET /v1/user, {SEQUENTIAL} sequential requests)"
    );
    println!("{:<44} {:>12} {:>14}", "measure", "figure", "target");
    println!(
        "{:<44} {:>9.1} µs {:>14}",
        "raw socket round trip (emulator's own time)", raw_us, "-"
    );
    println!(
        "{:<44} {:>9.1} µs {:>14}",
        "instatus::Client round trip", client_us, "-"
    );
    println!(
        "{:<44} {:>9.1} µs {:>14}",
        "client overhead per request",
        client_us - raw_us,
        "< 1000 µs"
    );
    println!(
        "{:<44} {:>8.0} /s {:>14}",
        "emulator throughput, 2 connections, 3 s", rps, ">= 5000 /s"
    );
}
