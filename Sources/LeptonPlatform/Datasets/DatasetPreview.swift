/// What an uploaded file was recognised as, with a preview: the array shape and element type of
/// IDX and NPY files, the classes of IDX label files, the columns, rows and first lines of CSV and
/// ratings files; the files, images and images per class of a tar archive of an image folder;
/// for a gzip file, the same of what it holds (``contents``).
public struct DatasetPreview: Codable, Sendable, Equatable {
    /// A recognised file format.
    public enum Format: String, Codable, Sendable {
        /// An IDX array (MNIST's format).
        case idx
        /// A NumPy `.npy` array.
        case npy
        /// Comma-separated text.
        case csv
        /// Tab-separated ratings, one per line: user, item, rating and perhaps a timestamp
        /// (MovieLens `u.data`).
        case ratings
        /// A tar archive (of an image folder when it holds images: `[root/]<class>/<image>`).
        case tar
        /// A gzip stream (what it holds is in ``DatasetPreview/contents``).
        case gzip
        /// Anything else.
        case binary
    }

    /// The recognised format.
    public var format: Format
    /// For a gzip file, the format of the data inside it (the other fields describe that data);
    /// nil when it was not recognised.
    public var contents: Format?
    /// The array shape (IDX, NPY).
    public var shape: [Int]?
    /// The element type (IDX: `uint8`, `int32`, …; NPY: its dtype such as `<f4`).
    public var elementType: String?
    /// The distinct values of a one-dimensional `uint8` IDX file (its class labels).
    public var classes: [Int]?
    /// The header fields of a CSV file (of a ratings file: what its fields are).
    public var columns: [String]?
    /// The data rows of a CSV file (lines after the header; of a ratings file, every line).
    public var rows: Int?
    /// The first lines of a CSV or ratings file (at most five).
    public var sample: [String]?
    /// The regular files in a tar archive.
    public var files: Int?
    /// The PNG and JPEG files in a tar archive.
    public var images: Int?
    /// A tar archive's images per class (the name of each image's folder).
    public var imageClasses: [String: Int]?

    /// A preview of `format` with nothing else known.
    public init(format: Format, contents: Format? = nil, shape: [Int]? = nil, elementType: String? = nil, classes: [Int]? = nil,
                columns: [String]? = nil, rows: Int? = nil, sample: [String]? = nil, files: Int? = nil, images: Int? = nil,
                imageClasses: [String: Int]? = nil) {
        self.format = format
        self.contents = contents
        self.shape = shape
        self.elementType = elementType
        self.classes = classes
        self.columns = columns
        self.rows = rows
        self.sample = sample
        self.files = files
        self.images = images
        self.imageClasses = imageClasses
    }
}
