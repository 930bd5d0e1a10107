//! Where a usage file's bytes come from: memory (a small upload, a test) or a file on disk (a
//! large upload streamed there, a file named on the command line). A gzip file (`.csv.gz`) is
//! recognised by its magic bytes and read through a decompressor; either way the pipeline reads
//! the file twice (check, then store), so it is opened afresh each time and never held whole.

use sha2::{Digest, Sha256};
use std::io::{self, BufReader, Read};
use std::path::PathBuf;

/// The largest a usage file may grow to once decompressed: a gzip bomb stops here.
pub const MAX_DECOMPRESSED_BYTES: u64 = 16 * 1024 * 1024 * 1024;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

pub enum Source<'a> {
    Bytes(&'a [u8]),
    File(PathBuf),
}

impl Source<'_> {
    /// The first bytes of the (decompressed) content, to tell a CSV from an invoice.
    pub fn head(&self, limit: usize) -> io::Result<Vec<u8>> {
        let mut head = Vec::with_capacity(limit);
        self.open()?.take(limit as u64).read_to_end(&mut head)?;
        Ok(head)
    }

    /// The size as stored (compressed, for a gzip file).
    pub fn stored_size(&self) -> io::Result<u64> {
        match self {
            Source::Bytes(b) => Ok(b.len() as u64),
            Source::File(path) => Ok(std::fs::metadata(path)?.len()),
        }
    }

    pub fn is_gzip(&self) -> io::Result<bool> {
        let mut magic = [0u8; 2];
        let read = match self {
            Source::Bytes(b) => {
                let n = b.len().min(2);
                magic[..n].copy_from_slice(&b[..n]);
                n
            }
            Source::File(path) => {
                let mut file = std::fs::File::open(path)?;
                let mut n = 0;
                while n < 2 {
                    match file.read(&mut magic[n..])? {
                        0 => break,
                        k => n += k,
                    }
                }
                n
            }
        };
        Ok(read == 2 && magic == GZIP_MAGIC)
    }

    /// The content from its first byte, decompressed when it is gzip.
    pub fn open(&self) -> io::Result<Box<dyn Read + Send + '_>> {
        let gzip = self.is_gzip()?;
        let raw: Box<dyn Read + Send + '_> = match self {
            Source::Bytes(b) => Box::new(*b),
            Source::File(path) => Box::new(std::fs::File::open(path)?),
        };
        Ok(if gzip {
            // Several gzip members one after the other (as `cat a.gz b.gz` makes) are one file.
            Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(256 * 1024, raw)))
        } else {
            raw
        })
    }
}

/// Counts and hashes what passes through, and ends the stream (reporting it) past a limit.
pub struct Watched<R> {
    inner: R,
    hasher: Sha256,
    pub bytes: u64,
    limit: u64,
    pub over_limit: bool,
}

impl<R: Read> Watched<R> {
    pub fn new(inner: R, limit: u64) -> Watched<R> {
        Watched { inner, hasher: Sha256::new(), bytes: 0, limit, over_limit: false }
    }

    pub fn sha256_hex(&self) -> String {
        hex::encode(self.hasher.clone().finalize())
    }
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.over_limit {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        if self.bytes > self.limit {
            self.over_limit = true;
            return Ok(0);
        }
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn gzip_is_read_through_and_plain_text_as_it_is() {
        let text = b"BilledCost,BillingCurrency\n1.00,EUR\n";
        let packed = gzip(text);
        for source in [Source::Bytes(text), Source::Bytes(&packed)] {
            let mut read = Vec::new();
            source.open().unwrap().read_to_end(&mut read).unwrap();
            assert_eq!(read, text);
        }
        assert!(Source::Bytes(&packed).is_gzip().unwrap());
        assert!(!Source::Bytes(text).is_gzip().unwrap());
    }

    #[test]
    fn the_same_content_hashes_the_same_compressed_or_not() {
        let text = b"a,b\n1,2\n";
        let packed = gzip(text);
        let hash = |bytes: &[u8]| {
            let source = Source::Bytes(bytes);
            let mut watched = Watched::new(source.open().unwrap(), u64::MAX);
            io::copy(&mut watched, &mut io::sink()).unwrap();
            watched.sha256_hex()
        };
        assert_eq!(hash(text), hash(&packed));
    }

    #[test]
    fn a_stream_past_its_limit_ends_and_says_so() {
        let mut watched = Watched::new(&[7u8; 100][..], 10);
        let mut out = Vec::new();
        watched.read_to_end(&mut out).unwrap();
        assert!(watched.over_limit);
        assert!(out.len() <= 10);
    }
}
