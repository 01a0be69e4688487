//! A tiny protobuf wire-format encoder (and decoder, for checks) for the few well-known
//! `google.rpc` messages that Connect error details carry as base64 bytes.

/// Appends `value` as a base-128 varint.
fn put_varint(buf: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        buf.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    buf.push(value as u8);
}

/// Appends a length-delimited field (wire type 2) holding `bytes`.
fn put_len_delimited(buf: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    put_varint(buf, (u64::from(field) << 3) | 2);
    put_varint(buf, bytes.len() as u64);
    buf.extend_from_slice(bytes);
}

/// A protobuf message under construction; proto3 semantics (empty strings are not written).
#[derive(Debug, Default, Clone)]
pub struct Message {
    buf: Vec<u8>,
}

impl Message {
    /// An empty message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a `string` field unless it is empty (proto3 default).
    pub fn string(mut self, field: u32, value: &str) -> Self {
        if !value.is_empty() {
            put_len_delimited(&mut self.buf, field, value.as_bytes());
        }
        self
    }

    /// Adds an embedded message field (always written, as for repeated elements).
    pub fn message(mut self, field: u32, value: &Message) -> Self {
        put_len_delimited(&mut self.buf, field, &value.buf);
        self
    }

    /// The encoded bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// One decoded field: its number and, for length-delimited fields, the raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A varint field (wire type 0).
    Varint(u32, u64),
    /// A length-delimited field (wire type 2): strings, bytes and embedded messages.
    Bytes(u32, Vec<u8>),
}

fn get_varint(bytes: &[u8], pos: &mut usize) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*pos).ok_or("truncated varint")?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint too long".into())
}

/// Decodes the top-level fields of a message (wire types 0 and 2 only, as encoded here).
pub fn decode(bytes: &[u8]) -> Result<Vec<Field>, String> {
    let mut pos = 0;
    let mut fields = Vec::new();
    while pos < bytes.len() {
        let key = get_varint(bytes, &mut pos)?;
        let number = u32::try_from(key >> 3).map_err(|_| "field number too large")?;
        match key & 7 {
            0 => fields.push(Field::Varint(number, get_varint(bytes, &mut pos)?)),
            2 => {
                let len = usize::try_from(get_varint(bytes, &mut pos)?)
                    .map_err(|_| "length too large")?;
                let end = pos.checked_add(len).filter(|e| *e <= bytes.len());
                let end = end.ok_or("truncated length-delimited field")?;
                fields.push(Field::Bytes(number, bytes[pos..end].to_vec()));
                pos = end;
            }
            other => return Err(format!("unsupported wire type {other}")),
        }
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_string_field() {
        let bytes = Message::new().string(1, "ab").into_bytes();
        assert_eq!(bytes, vec![0x0a, 2, b'a', b'b']);
    }

    #[test]
    fn skips_empty_strings() {
        assert!(Message::new().string(3, "").into_bytes().is_empty());
    }

    #[test]
    fn encodes_long_lengths_as_multi_byte_varints() {
        let long = "x".repeat(300);
        let bytes = Message::new().string(2, &long).into_bytes();
        assert_eq!(&bytes[..3], &[0x12, 0xac, 0x02]);
        assert_eq!(
            decode(&bytes).unwrap(),
            vec![Field::Bytes(2, long.into_bytes())]
        );
    }

    #[test]
    fn nested_messages_round_trip() {
        let inner = Message::new().string(1, "oidc.ca").string(2, "bad");
        let bytes = Message::new().message(1, &inner).into_bytes();
        let Field::Bytes(1, inner_bytes) = &decode(&bytes).unwrap()[0] else {
            panic!("expected field 1");
        };
        assert_eq!(
            decode(inner_bytes).unwrap(),
            vec![
                Field::Bytes(1, b"oidc.ca".to_vec()),
                Field::Bytes(2, b"bad".to_vec())
            ]
        );
    }

    #[test]
    fn decode_rejects_truncated_input() {
        assert!(decode(&[0x0a, 5, b'a']).is_err());
    }
}
