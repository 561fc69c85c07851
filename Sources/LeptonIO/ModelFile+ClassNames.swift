import Foundation
import LeptonFiles
import LeptonNN

extension ModelFile {
    /// The class names a model folder's `model.json` records (`class_names`, saved from an image
    /// folder's class folders), nil when it records none or the file cannot be read.
    public static func classNames(in url: URL) -> [String]? {
        let file = url.appendingPathComponent(architectureName)
        guard let size = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? Int, size <= 64 << 20,
              let data = FileContents.read(atPath: file.path),
              case .object(let object)? = try? JSONDecoder().decode(ConfigValue.self, from: data),
              case .array(let names)? = object["class_names"] else { return nil }
        let strings = names.compactMap { value -> String? in if case .string(let s) = value { return s }; return nil }
        return strings.count == names.count ? strings : nil
    }
}
