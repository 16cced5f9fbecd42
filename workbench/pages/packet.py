"""证据包: choose warnings, build one ZIP (PDF report, XLSX, offline maps, query rows, manifest), download it."""

import streamlit as st

from scan.warnings import GRADE_LABELS
from workbench.packet import FontMissing, build_from_store
from workbench.session import audit, require
from workbench.state import store_or_stop, warnings_or_stop

user = require("export")
st.title("证据包")
store = store_or_stop(user)
table, _ = warnings_or_stop(store)

names = dict(
    zip(
        table["warning_id"],
        table["grade"].map(GRADE_LABELS) + " · " + table["model_title"] + " · " + table["subject_name"].astype(str),
        strict=True,
    )
)
chosen = st.multiselect(
    "选择预警（可多选）",
    list(table["warning_id"]),
    default=st.session_state.get("packet_ids", []),
    format_func=lambda w: names[w],
    placeholder="选择一条或多条预警",
)
level = "身份证号、账号部分隐藏" if user.masked else "完整身份证号与账号"
st.caption(f"经办人：{user.display_name}（{user.role_label()}，{user.jurisdiction.label()}）；脱敏级别：{level}。")
st.caption(
    "证据包包含：PDF 报告（中文，含关系图、证据表、数据来源与模型查询）、Excel 证据表、"
    "离线关系图、查询结果 CSV 与 manifest.json（各文件 SHA-256）。"
)
if st.button("生成证据包", type="primary", disabled=not chosen):
    bar = st.progress(0.0, text="开始生成…")
    account = {"username": user.username, "role": user.role_label(), "jurisdiction": user.jurisdiction.label()}
    try:
        packet = build_from_store(
            store,
            chosen,
            user.display_name,
            mask=user.masked,
            progress=lambda i, n, msg: bar.progress(i / n, text=msg),
            account=account,
        )
    except FontMissing as e:
        st.error(str(e))
        st.stop()
    audit("export", {"what": "packet", "warnings": chosen, "masking": packet.manifest["masking"]}, count=len(chosen))
    st.session_state["packet"] = packet
packet = st.session_state.get("packet")
if packet is not None:
    st.success(f"已生成 {packet.filename}：{len(packet.manifest['warnings'])} 条预警，{len(packet.manifest['files'])} 个文件。")
    st.download_button(
        "下载证据包（ZIP）",
        packet.data,
        file_name=packet.filename,
        mime="application/zip",
        type="primary",
        on_click=lambda: audit("export", {"what": "packet_download", "file": packet.filename}),
    )
    st.dataframe(
        [{"文件": f["path"], "字节": f["bytes"], "SHA-256": f["sha256"]} for f in packet.manifest["files"]],
        hide_index=True,
        width="stretch",
    )
