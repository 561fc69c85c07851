/// Something that takes a request body chunk by chunk and is dropped whole when the body does not
/// arrive whole: a dataset version's upload, a model version's push.
public protocol StreamedUpload: AnyObject {
    /// Takes the next bytes.
    func append(_ bytes: UnsafeRawBufferPointer) throws
    /// Drops everything taken so far; nothing becomes visible.
    func abort()
}

extension DatasetUpload: StreamedUpload {}
extension ModelPush: StreamedUpload {}
