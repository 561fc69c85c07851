import Foundation
import LeptonFiles
import LeptonNN
import LeptonTensor

extension ModelFile {
    /// The class names a model folder's `model.json` records (`class_names`, saved from an image
    /// folder's class folders), nil when it records none or the file cannot be read.
    public static func classNames(in url: URL) -> [String]? {
        guard case .array(let names)? = recorded("class_names", in: url) else { return nil }
        let strings = names.compactMap { value -> String? in if case .string(let s) = value { return s }; return nil }
        return strings.count == names.count ? strings : nil
    }

    /// The shape of one input sample a model folder's `model.json` records (`input_shape`), nil
    /// when it records none or the file cannot be read.
    public static func inputShape(in url: URL) -> [Int]? {
        guard case .array(let dims)? = recorded("input_shape", in: url) else { return nil }
        let ints = dims.compactMap { value -> Int? in if case .int(let i) = value { return i }; return nil }
        return ints.count == dims.count ? ints : nil
    }

    /// The input's element type a model folder's `model.json` records (`input_dtype`); float32
    /// when it records none.
    public static func inputDType(in url: URL) -> DType {
        guard case .string(let name)? = recorded("input_dtype", in: url), let dtype = DType(rawValue: name) else { return .float32 }
        return dtype
    }

    /// The top-level field `key` of the folder's `model.json` (at most 64 MiB), nil when absent or unreadable.
    private static func recorded(_ key: String, in url: URL) -> ConfigValue? {
        let file = url.appendingPathComponent(architectureName)
        guard let size = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? Int, size <= 64 << 20,
              let data = FileContents.read(atPath: file.path),
              case .object(let object)? = try? JSONDecoder().decode(ConfigValue.self, from: data) else { return nil }
        return object[key]
    }
}
