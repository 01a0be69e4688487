use super::*;

const FORM: &[u8] = b"--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuploads/${filename}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"X-Amz-Credential\"\r\n\r\nCWKEY1/20250115/US-EAST-04A/s3/aws4_request\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello";

#[test]
fn the_boundary_of_a_form_post_only() {
    let post = hyper::Method::POST;
    assert_eq!(
        boundary(&post, Some("multipart/form-data; boundary=XyZ")),
        Some("XyZ".into())
    );
    assert_eq!(
        boundary(
            &post,
            Some("Multipart/Form-Data; charset=x; boundary=\"q r\"")
        ),
        Some("q r".into())
    );
    assert_eq!(
        boundary(
            &hyper::Method::PUT,
            Some("multipart/form-data; boundary=XyZ")
        ),
        None
    );
    assert_eq!(boundary(&post, Some("application/xml")), None);
    assert_eq!(boundary(&post, None), None);
}

#[test]
fn fields_are_read_up_to_the_file_part() {
    let form = parse(FORM, "XyZ");
    assert!(form.reached_file);
    assert_eq!(form.filename.as_deref(), Some("a.txt"));
    assert_eq!(form.fields["key"], "uploads/${filename}");
    assert_eq!(
        form.fields["x-amz-credential"],
        "CWKEY1/20250115/US-EAST-04A/s3/aws4_request"
    );
    let cut = &FORM[..60];
    assert!(!reaches_file(cut, "XyZ"));
    assert!(reaches_file(FORM, "XyZ"));
}

#[test]
fn a_policy_s_expiration_is_read() {
    let policy = STANDARD.encode(br#"{"expiration": "2025-01-15T10:00:00Z", "conditions": []}"#);
    assert_eq!(
        policy_expiration(&policy),
        Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_736_935_200))
    );
    assert_eq!(policy_expiration("not base64"), None);
}

#[test]
fn errors_are_s3_xml() {
    let resp = error_response(&s3_error!(ExpiredToken, "The provided token has expired."));
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.headers()["content-type"], "application/xml");
}
