/// What an uploaded file was recognised as, with a preview: the array shape and element type of
/// IDX and NPY files, the classes of IDX label files, the columns, rows and first lines of CSV.
public struct DatasetPreview: Codable, Sendable, Equatable {
    /// A recognised file format.
    public enum Format: String, Codable, Sendable {
        /// An IDX array (MNIST's format).
        case idx
        /// A NumPy `.npy` array.
        case npy
        /// Comma-separated text.
        case csv
        /// A gzip stream (not looked into).
        case gzip
        /// Anything else.
        case binary
    }

    /// The recognised format.
    public var format: Format
    /// The array shape (IDX, NPY).
    public var shape: [Int]?
    /// The element type (IDX: `uint8`, `int32`, …; NPY: its dtype such as `<f4`).
    public var elementType: String?
    /// The distinct values of a one-dimensional `uint8` IDX file (its class labels).
    public var classes: [Int]?
    /// The header fields of a CSV file.
    public var columns: [String]?
    /// The data rows of a CSV file (lines after the header).
    public var rows: Int?
    /// The first lines of a CSV file (at most five).
    public var sample: [String]?

    /// A preview of `format` with nothing else known.
    public init(format: Format, shape: [Int]? = nil, elementType: String? = nil, classes: [Int]? = nil,
                columns: [String]? = nil, rows: Int? = nil, sample: [String]? = nil) {
        self.format = format
        self.shape = shape
        self.elementType = elementType
        self.classes = classes
        self.columns = columns
        self.rows = rows
        self.sample = sample
    }
}
