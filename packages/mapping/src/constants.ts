// The numbers @mem/mapping owns: handle type tags, the section / view access tables of Windows, and the
// device prefix GetMappedFileName reports. The Windows constants themselves (SEC_*, FILE_MAP_*,
// GENERIC_*, FILE_SHARE_*, dispositions, ERROR_*) live in @mem/pages and are re-exported here.
import {
  SECTION_MAP_EXECUTE,
  SECTION_MAP_EXECUTE_EXPLICIT,
  SECTION_MAP_READ,
  SECTION_MAP_WRITE,
  SECTION_QUERY,
} from '@mem/pages';

export {
  CREATE_ALWAYS,
  CREATE_NEW,
  FILE_ATTRIBUTE_NORMAL,
  FILE_MAP_ALL_ACCESS,
  FILE_MAP_COPY,
  FILE_MAP_EXECUTE,
  FILE_MAP_LARGE_PAGES,
  FILE_MAP_READ,
  FILE_MAP_RESERVE,
  FILE_MAP_TARGETS_INVALID,
  FILE_MAP_WRITE,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  GENERIC_ALL,
  GENERIC_EXECUTE,
  GENERIC_READ,
  GENERIC_WRITE,
  INVALID_HANDLE_VALUE,
  NUMA_NO_PREFERRED_NODE,
  OPEN_ALWAYS,
  OPEN_EXISTING,
  SEC_64K_PAGES,
  SEC_COMMIT,
  SEC_FILE,
  SEC_IMAGE,
  SEC_IMAGE_NO_EXECUTE,
  SEC_LARGE_PAGES,
  SEC_NOCACHE,
  SEC_PROTECTED_IMAGE,
  SEC_RESERVE,
  SEC_WRITECOMBINE,
  SECTION_ALL_ACCESS,
  SECTION_EXTEND_SIZE,
  SECTION_MAP_EXECUTE,
  SECTION_MAP_EXECUTE_EXPLICIT,
  SECTION_MAP_READ,
  SECTION_MAP_WRITE,
  SECTION_QUERY,
  TRUNCATE_EXISTING,
} from '@mem/pages';

/** HandleTable type tag of section objects (file mappings). */
export const HANDLE_TYPE_SECTION = 'Section';
/** HandleTable type tag of files opened by CreateFile. */
export const HANDLE_TYPE_FILE = 'File';

/** Device prefix of the names GetMappedFileName returns (the NT path of the volume). */
export const MAPPED_FILE_DEVICE = '\\Device\\HarddiskVolume1';


/** FILE_MAP_* bits that choose the view's protection (the rest are options). */
export const VIEW_ACCESS_BITS = SECTION_QUERY | SECTION_MAP_WRITE | SECTION_MAP_READ | SECTION_MAP_EXECUTE | SECTION_MAP_EXECUTE_EXPLICIT;

/** ERROR_USER_MAPPED_FILE: truncating (or deleting) a file a section maps. */
export const ERROR_USER_MAPPED_FILE = 1224;
/** ERROR_UNEXP_NET_ERR: what GetMappedFileName reports for an address that is not in a file view. */
export const ERROR_UNEXP_NET_ERR = 59;
