"""Problems found in content, and their messages in Japanese and English."""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from typing import Any

# One message per problem code. The error type shown in brackets is frictionless's own
# where frictionless found it, so people can search for it.
MESSAGES: dict[str, dict[str, str]] = {
    "worker-died": {
        "en": "a process of the build ended before its work was done (killed, or out of "
        "memory); nothing was written there: run the build again",
        "ja": "ビルドのプロセスが処理の途中で終了しました（強制終了またはメモリ不足）。"
        "そこには何も書き出していません。もう一度ビルドしてください",
    },
    "bad-epoch": {
        "en": "{value} is not a release time: set SOURCE_DATE_EPOCH to a whole number of seconds "
        "since 1970 (UTC), up to {last}, or unset it",
        "ja": "{value} はリリース時刻として使えません。SOURCE_DATE_EPOCH には1970年（UTC）からの秒数を"
        "整数で（{last}まで）設定するか、設定を外してください",
    },
    "output-holds-project": {
        "en": "this is the {what} folder, or holds it; a build replaces its output folder "
        "whole, so it never writes here: give --out a folder of its own, such as site",
        "ja": "これは{what}のフォルダか、それを含むフォルダです。ビルドは出力フォルダを丸ごと"
        "置き換えるため、ここには書き出しません。--out には専用のフォルダ（例: site）を指定してください",
    },
    "output-in-project": {
        "en": "this folder is inside the {what} folder, which the build reads: give --out a "
        "folder outside it, such as site",
        "ja": "このフォルダはビルドが読み込む{what}のフォルダの中にあります。--out にはその外の"
        "フォルダ（例: site）を指定してください",
    },
    "output-not-ours": {
        "en": "this folder has files and was not made by a build (it has no {marker} file); a "
        "build replaces its output folder whole, so it leaves this one as it is: give --out "
        "a new or empty folder, or delete this one if it is an old site",
        "ja": "このフォルダにはファイルがあり、ビルドが作ったものではありません（{marker} "
        "ファイルがありません）。ビルドは出力フォルダを丸ごと置き換えるため、このフォルダには"
        "手を付けません。--out に新しいフォルダか空のフォルダを指定するか、古いサイトであれば"
        "このフォルダを削除してください",
    },
    "output-not-folder": {
        "en": "this is a file, not a folder; give --out a folder",
        "ja": "これはフォルダではなくファイルです。--out にはフォルダを指定してください",
    },
    "output-unwritable": {
        "en": "the site cannot be written here: {detail}; the site there is as it was",
        "ja": "ここにサイトを書き出せません（{detail}）。既存のサイトは元のままです",
    },
    "encoding-error": {
        "en": "the file is not UTF-8 text (byte {byte} cannot be read); save it as UTF-8",
        "ja": "ファイルがUTF-8ではありません（{byte}を読めません）。UTF-8で保存してください",
    },
    "yaml-error": {
        "en": "the YAML cannot be read: {detail}",
        "ja": "YAMLの書き方に誤りがあります: {detail}",
    },
    "encoding-utf16": {
        "en": 'the file is saved as UTF-16 ("Unicode" in Notepad); save it as UTF-8',
        "ja": "ファイルがUTF-16（メモ帳の「Unicode」）で保存されています。UTF-8で保存してください",
    },
    "control-character": {
        "en": "{char} cannot be in content; delete it (text copied from Word or a PDF "
        "sometimes brings one){more}",
        "ja": "{char}はコンテンツに書けません。削除してください（WordやPDFからコピーした"
        "テキストに紛れ込むことがあります）{more}",
    },
    "file-too-large": {
        "en": "the file has {size} bytes, more than the {limit} a content file may have; "
        "check that it is the right file",
        "ja": "ファイルが{size}バイトあり、コンテンツのファイルの上限（{limit}バイト）を超えています。"
        "正しいファイルか確かめてください",
    },
    "link-outside": {
        "en": "this is a link to {target}, outside the content folder; content must be "
        "self-contained, so put the file or folder itself here",
        "ja": "これはコンテンツフォルダの外（{target}）へのリンクです。リンクではなく、ファイルや"
        "フォルダそのものを置いてください",
    },
    "link-outside-project": {
        "en": "this is a link to {target}, outside its folder; templates and schemas are "
        "published or read as they are, so nothing outside the project may come in through a "
        "link: put the file itself here",
        "ja": "これはフォルダの外（{target}）へのリンクです。テンプレートとスキーマはそのまま"
        "公開・読み込みされるため、プロジェクトの外のものをリンクで取り込むことはできません。"
        "ファイルそのものを置いてください",
    },
    "written-twice": {
        "en": "{path} is written twice: {detail}",
        "ja": "{path} が2回書き出されます: {detail}",
    },
    "reserved-name": {
        "en": "{value} is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM1–9, "
        "LPT1–9): the id names a folder of the site, which Windows could not make; choose "
        "another id",
        "ja": "{value} はWindowsが装置のために予約している名前です（CON、PRN、AUX、NUL、COM1〜9、"
        "LPT1〜9）。IDはサイトのフォルダ名になり、Windowsでは作れないため、別のIDにしてください",
    },
    "page-slug-taken": {
        "en": 'a page cannot be called "{slug}": the site has a folder of that name in each '
        "language ({taken}); rename the file",
        "ja": "ページの名前を「{slug}」にはできません。各言語のフォルダに同じ名前のフォルダがあります"
        "（{taken}）。ファイル名を変えてください",
    },
    "link-broken": {
        "en": "this is a link to {target}, which does not exist",
        "ja": "これは存在しない {target} へのリンクです",
    },
    "yaml-alias": {
        "en": "anchors and aliases ({written}) cannot be used in content; write the value out in full",
        "ja": "アンカーとエイリアス（{written}）はコンテンツでは使えません。値をそのまま書いてください",
    },
    "yaml-tag": {
        "en": "the tag {tag} is not allowed (content holds only text, numbers, null, lists and "
        "mappings); remove the tag",
        "ja": "タグ {tag} は使えません（コンテンツに書けるのはテキスト・数値・null・リスト・"
        "対応づけだけです）。タグを削除してください",
    },
    "yaml-too-deep": {
        "en": "lists and mappings are nested more than {limit} levels deep here",
        "ja": "ここでリストや対応づけの入れ子が{limit}段を超えています",
    },
    "yaml-long-number": {
        "en": "a number of {digits} digits cannot be read; no amount or order is that long",
        "ja": "{digits}桁の数値は読めません（金額や順番がそこまで長くなることはありません）",
    },
    "yaml-escape": {
        "en": "{escape} is not an escape YAML knows (in double quotes a backslash starts one); "
        "write \\\\ for a backslash, or put the text in single quotes",
        "ja": "{escape} はYAMLのエスケープではありません（二重引用符の中ではバックスラッシュが"
        "エスケープを始めます）。バックスラッシュは \\\\ と書くか、一重引用符で囲んでください",
    },
    "yaml-unicode-escape": {
        "en": "{escape} names no character (a lone surrogate, or past U+10FFFF); "
        "write the character itself",
        "ja": "{escape} は文字を表していません（単独のサロゲートか、U+10FFFFを超える値です）。"
        "文字そのものを書いてください",
    },
    "yaml-documents": {
        "en": 'a second YAML document begins here (a line "---" or "..."); '
        "a content file holds one",
        "ja": "ここから2つ目のYAML文書が始まっています（「---」や「...」の行）。"
        "1つのファイルに書けるのは1つだけです",
    },
    "yaml-tab": {
        "en": "a tab is used for indentation; indent with spaces",
        "ja": "字下げにタブ文字が使われています。スペースで字下げしてください",
    },
    "comma-in-amount": {
        "en": "{value} was read as two entries because of the comma; write the amount without commas: {fixed}",
        "ja": "カンマがあるため {value} が2つの項目として読まれました。カンマなしで {fixed} と書いてください",
    },
    "missing-file": {
        "en": "this file is missing",
        "ja": "このファイルがありません",
    },
    "read-error": {
        "en": "the file cannot be read: {detail}",
        "ja": "ファイルを読めません: {detail}",
    },
    "missing-image": {
        "en": "there is no image {name} beside site.yaml",
        "ja": "site.yaml と同じフォルダに画像 {name} がありません",
    },
    "unsafe-image": {
        "en": "the image {name} {detail}; save it again without them (for example as a plain SVG or a PNG)",
        "ja": "画像 {name} に{detail}。それを含めずに保存し直してください（例：プレーンSVGやPNG）",
    },
    "unexpected-file": {
        "en": "this file is not read; {hint}",
        "ja": "このファイルは読み込まれません。{hint}",
    },
    "not-a-mapping": {
        "en": "expected a mapping of keys (key: value) but found {found}",
        "ja": "「キー: 値」の形の対応づけが必要ですが、{found}になっています",
    },
    "not-a-list": {
        "en": 'expected a list of items (lines starting with "- ") but found {found}',
        "ja": "「- 」で始まる項目の並びが必要ですが、{found}になっています",
    },
    "unknown-key": {
        "en": "unknown key {key_name}{suggestion}; the keys here are: {expected}",
        "ja": "不明なキー {key_name} です{suggestion}。ここで使えるキー: {expected}",
    },
    "duplicate-key": {
        "en": "the key {key_name} appears twice in this mapping (first on line {first})",
        "ja": "キー {key_name} がこの中に2回あります（最初は{first}行目）",
    },
    "missing-key": {
        "en": "this key is missing",
        "ja": "このキーがありません",
    },
    "missing-translation": {
        "en": "the {language} text is missing",
        "ja": "{language}のテキストがありません",
    },
    "yaml-boolean": {
        "en": "{value} was read as the true/false value {read_as} (YAML 1.1); put it in quotes",
        "ja": "{value} が真偽値 {read_as} として読まれました（YAML 1.1）。引用符で囲んでください",
    },
    "yaml-number": {
        "en": "{value} was read as the number {read_as} (YAML 1.1); write plain digits, "
        "or put it in quotes if it is text",
        "ja": "{value} が数値 {read_as} として読まれました（YAML 1.1）。数字だけで書くか、"
        "テキストなら引用符で囲んでください",
    },
    "yaml-date": {
        "en": "{value} was read as a date; put it in quotes",
        "ja": "{value} が日付として読まれました。引用符で囲んでください",
    },
    "not-text": {
        "en": "{value} is not text",
        "ja": "{value} はテキストではありません",
    },
    "not-whole-number": {
        "en": "{value} is not a whole number",
        "ja": "{value} は整数ではありません",
    },
    "amount-to-fill": {
        "en": "the cost is not filled in yet: write it in thousand yen, or null where the "
        'report prints "-"',
        "ja": "事業費がまだ記入されていません。千円単位で書くか、報告書が「-」なら null と書いてください",
    },
    "not-amount": {
        "en": "{value} is not a whole number of thousand yen",
        "ja": "{value} は千円単位の整数ではありません",
    },
    "full-width-digits": {
        "en": "{value} is written in full-width digits; write {fixed}",
        "ja": "{value} は全角の数字で書かれています。半角で {fixed} と書いてください",
    },
    "quoted-number": {
        "en": "{value} is in quotes, so it is text, not a number; write {fixed} without quotes",
        "ja": "{value} は引用符で囲まれているため数値ではなくテキストです。引用符なしで {fixed} と"
        "書いてください",
    },
    "not-number": {
        "en": "{value} is not a number",
        "ja": "{value} は数値ではありません",
    },
    "formula-text": {
        "en": "text must not begin with {char}: spreadsheets would run it as a formula",
        "ja": "テキストを{char}で始めることはできません（表計算ソフトが数式として扱うため）",
    },
    "fiscal-year-mismatch": {
        "en": "the file is in the folder for {fiscal_year}, so cost needs the years {expected}; "
        'it has {found} (write null for a year the report shows as "-")',
        "ja": "{fiscal_year}年度のフォルダにあるため、cost には {expected} の年度が必要ですが、"
        "{found} になっています（報告書で「-」の年度は null と書きます）",
    },
    "duplicate-id": {
        "en": "{value} is already used by {other}",
        "ja": "{value} は {other} ですでに使われています",
    },
    "unknown-reference": {
        "en": "{value} is not a known {what}; known: {known}",
        "ja": "{value} という{what}はありません。あるもの: {known}",
    },
    "required": {
        "en": "a value is required",
        "ja": "値が必要です",
    },
    "too-small": {
        "en": "{value} is less than the minimum of {limit}",
        "ja": "{value} は最小値 {limit} より小さい値です",
    },
    "too-large": {
        "en": "{value} is more than the maximum of {limit}",
        "ja": "{value} は最大値 {limit} より大きい値です",
    },
    "too-long": {
        "en": "the text is longer than {limit} characters",
        "ja": "テキストが{limit}文字を超えています",
    },
    "bad-pattern": {
        "en": "{value} does not have the form {pattern}",
        "ja": "{value} は {pattern} の形になっていません",
    },
    "bad-form": {
        "en": "{value} is not {form}",
        "ja": "{value} は{form}ではありません",
    },
    "not-kana": {
        "en": "{value} is not a reading in hiragana or katakana{found} (write it as "
        "しょうてんがい or ショウテンガイ, with no spaces)",
        "ja": "{value} はひらがなかカタカナの読みではありません{found}"
        "（しょうてんがい、ショウテンガイのように空白なしで書きます）",
    },
    "bad-id": {
        "en": "{value} is not a valid id: use lowercase letters a-z, digits and single hyphens",
        "ja": "{value} はIDとして使えません。英小文字a-z・数字・ハイフンで書いてください",
    },
    "space-around-id": {
        "en": "{value} has {char} at its {where}: it cannot be seen, but it makes a different id; delete it",
        "ja": "{value} の{where}に{char}があります。見えませんが別のIDになるため、削除してください",
    },
    "invalid": {
        "en": "{detail}",
        "ja": "{detail}",
    },
    "missing-page-translation": {
        "en": "there is no {language} version of this page; add {expected}",
        "ja": "このページの{language}版がありません。{expected} を追加してください",
    },
    "page-title": {
        "en": 'the page needs a title: begin it with a line such as "# About this site"',
        "ja": "ページの題名がありません。「# このサイトについて」のような行で始めてください",
    },
    "page-too-long": {
        "en": "the page has {count} characters, more than the {limit} a page may have; split "
        "it, or check that it is the right file",
        "ja": "ページが{count}文字あり、1ページの上限（{limit}文字）を超えています。ページを分けるか、"
        "正しいファイルか確かめてください",
    },
    "page-too-much-html": {
        "en": "the page has {count} HTML tags, more than the {limit} a page may have; write it "
        "in Markdown",
        "ja": "ページにHTMLのタグが{count}個あり、上限（{limit}個）を超えています。Markdownで書いてください",
    },
    "page-too-deep": {
        "en": "lists are nested more than {limit} levels deep here; the page cannot be made into HTML",
        "ja": "ここでリストの入れ子が{limit}段を超えているため、ページをHTMLにできません",
    },
    "no-content": {
        "en": "no fiscal-year folder with projects was found",
        "ja": "年度フォルダ（事務事業のファイル）が見つかりません",
    },
    # python build.py import: problems in a spreadsheet, at its cell address (施策報告書!E6).
    "import-unknown-format": {
        "en": "{suffix} files cannot be imported; save the table as .xlsx or .csv",
        "ja": "{suffix} のファイルは読み込めません。.xlsx か .csv で保存してください",
    },
    "import-encoding-error": {
        "en": "the file is neither UTF-8 nor Shift_JIS (CP932) text (byte {byte} cannot be read); "
        "save it as CSV UTF-8",
        "ja": "ファイルがUTF-8でもShift_JIS（CP932）でもありません（{byte}を読めません）。"
        "「CSV UTF-8」で保存してください",
    },
    "import-no-header": {
        "en": "no table header was found in the first {rows} rows: the report's table needs a row "
        "with 事務事業名, 事業概要, 事業費（千円）, 所管課; the table this site publishes, a row "
        "with 事務事業ID",
        "ja": "最初の{rows}行に表の見出しが見つかりません。報告書の表には事務事業名・事業概要・"
        "事業費（千円）・所管課の見出し行が、公開している表には事務事業IDの見出し行が必要です",
    },
    "import-missing-column": {
        "en": "the table has no {column} column",
        "ja": "表に「{column}」の列がありません",
    },
    "import-cost-years": {
        "en": "the costs need two year columns, the fiscal year and the year before "
        "(such as 令和5年度 and 令和4年度); found {found}",
        "ja": "事業費には当該年度と前年度の2列（例: 令和5年度と令和4年度）が必要ですが、"
        "{found} になっています",
    },
    "import-year-disagrees": {
        "en": "{value} is fiscal year {year}, but {source} is {expected}",
        "ja": "{value} は{year}年度ですが、{source}は{expected}年度です",
    },
    "import-no-rows": {
        "en": "there are no projects under the table's header",
        "ja": "表の見出しの下に事務事業がありません",
    },
    "import-missing-name": {
        "en": "this row has no 事務事業名 (project name)",
        "ja": "この行に事務事業名がありません",
    },
    "import-duplicate-name": {
        "en": "{value} is already in the table at {first}",
        "ja": "{value} は表の {first} にすでにあります",
    },
    "import-change-mismatch": {
        "en": "the printed 増減額 (change) is {printed}, but the costs "
        "({cost} this year, {previous} last year) give {computed}",
        "ja": "印字された増減額は {printed} ですが、事業費（当該年度 {cost}、前年度 {previous}）"
        "から計算すると {computed} です",
    },
    "import-ratio-mismatch": {
        "en": "the printed 前年度比 (ratio) is {printed}, but the costs "
        "({cost} this year, {previous} last year) give {computed}",
        "ja": "印字された前年度比は {printed} ですが、事業費（当該年度 {cost}、前年度 {previous}）"
        "から計算すると {computed} です",
    },
    "import-unknown-division": {
        "en": "{value} is not a division in {folder}; add {expected} for it",
        "ja": "{value} という所管課は {folder} にありません。{expected} を追加してください",
    },
    "import-unknown-policy": {
        "en": "{value} is not a policy of fiscal year {fiscal_year} (known: {known}); "
        "add {expected} first",
        "ja": "{value} は{fiscal_year}年度の施策にありません（あるもの: {known}）。"
        "先に {expected} を追加してください",
    },
    "import-unknown-basic-project": {
        "en": "{value} is not a basic project of the policy {policy} (known: {known})",
        "ja": "{value} は施策 {policy} の基本事業にありません（あるもの: {known}）",
    },
    "import-missing-option": {
        "en": "the report's table does not say which {what} its projects belong to; "
        "give it with {option} (known: {known})",
        "ja": "報告書の表には{what}が書かれていません。{option} で指定してください"
        "（あるもの: {known}）",
    },
    # Across fiscal years: what one year's report says of a project against another's.
    "previous-cost-mismatch": {
        "en": "{value} differs from {other_value} in {other} (FY{other_year}'s own report); "
        "correct it, or explain the restatement in previous_cost_note",
        "ja": "{value} は {other}（{other_year}年度の報告書）の {other_value} と違います。"
        "値を直すか、修正した理由を previous_cost_note に書いてください",
    },
    "unknown-merged-into": {
        "en": "{value} is not a project of FY{next_year} (content/{next_year}/projects/); "
        "merged_into must name the project that this one continues as part of in the next year",
        "ja": "{value} という事務事業は{next_year}年度（content/{next_year}/projects/）に"
        "ありません。merged_into には翌年度にこの事業を引き継ぐ事務事業のIDを書きます",
    },
    "unknown-merged-into-now": {
        "en": "{value} is not another project of FY{year}'s report: merged_into must name the "
        "project that this one continues as part of",
        "ja": "{value} は{year}年度の報告書のほかの事務事業ではありません。merged_into には、"
        "この事業を引き継ぐ事務事業のIDを書きます",
    },
    "reused-id": {
        "en": "{value} is the id of a project that ended in FY{other_year} ({other}); ids are "
        "never reused: give this project an id of its own",
        "ja": "{value} は{other_year}年度で終わった事務事業のIDです（{other}）。IDは使い回さず、"
        "この事業には新しいIDを付けてください",
    },
    "note-without-restatement": {
        "en": "this report's 前年度 figure ({value}) is the same as last year's report's "
        "({other}): there is no restatement to explain; remove previous_cost_note",
        "ja": "この報告書の前年度の数値（{value}）は前年度の報告書（{other}）と同じです。"
        "説明する修正はないので previous_cost_note を消してください",
    },
    "ends-but-goes-on": {
        "en": "the project is in FY{next_year}'s report, so it did not end: remove this key, "
        "or remove the project's file for FY{next_year}",
        "ja": "この事務事業は{next_year}年度の報告書にもあるので、終わっていません。"
        "このキーを消すか、{next_year}年度のファイルを消してください",
    },
    "project-moved": {
        "en": "{value} in FY{year}, but {other_value} in {other} (FY{other_year}); "
        "check that the project really moved",
        "ja": "{year}年度は {value} ですが、{other}（{other_year}年度）では {other_value} です。"
        "本当に移ったのか確かめてください",
    },
    "project-ended": {
        "en": "the project is not in FY{next_year}'s report (content/{next_year}/projects/); "
        "if it ended after FY{year}, say why in end_note, or, if it continues as part of another "
        "project, name that project in merged_into",
        "ja": "この事務事業は{next_year}年度の報告書（content/{next_year}/projects/）に"
        "ありません。{year}年度で終わったのなら end_note に理由を書くか、引き継ぐ事務事業を "
        "merged_into に書いてください",
    },
    "large-import-file": {
        "en": "the file has {count}, more than the {limit} an import reads; a report's "
        "table has a few thousand rows: check that it is the right file",
        "ja": "ファイルが{count}あり、取り込める上限（{limit}）を超えています。報告書の表は"
        "数千行ほどです。正しいファイルか確かめてください",
    },
    "merged-too-large": {
        "en": "the cells {ref} are merged: {count} cells, more than the {limit} an import "
        "reads in one merged range; unmerge them, or merge only the cells of the table",
        "ja": "セル {ref} が結合されています（{count}セル）。取り込める結合範囲の上限（{limit}セル）を"
        "超えています。結合を解除するか、表のセルだけを結合してください",
    },
    "unfinished-import": {
        "en": "an import was stopped while it moved its files in, so content/ is part old, part "
        "new; run the same `python build.py import` again, which finishes it first",
        "ja": "取り込み（import）がファイルの移動中に止まったため、content/ は一部が古く一部が新しい"
        "状態です。同じ `python build.py import` をもう一度実行すると、まずそれを完了します",
    },
    "import-write-error": {
        "en": "the file cannot be written: {detail}",
        "ja": "ファイルを書き出せません: {detail}",
    },
}

LANGUAGE_NAMES = {
    "en": {"ja": "Japanese", "en": "English", "zh": "Chinese", "ko": "Korean"},
    "ja": {"ja": "日本語", "en": "英語", "zh": "中国語", "ko": "韓国語"},
}

SUMMARY = {
    "en": ("1 problem; nothing was written.", "{count} problems; nothing was written."),
    "ja": (
        "1 件の問題があります。何も書き出していません。",
        "{count} 件の問題があります。何も書き出していません。",
    ),
}
# With warnings: the problems (and warnings) counted, and whether anything stopped.
WARNINGS = {
    "en": {
        "with-problems": "{problems}, {warnings}; nothing was written.",
        "only": "{warnings}.",
        "problem": ("1 problem", "{count} problems"),
        "warning": ("1 warning", "{count} warnings"),
    },
    "ja": {
        "with-problems": "{problems}と{warnings}があります。何も書き出していません。",
        "only": "{warnings}があります。",
        "problem": ("1 件の問題", "{count} 件の問題"),
        "warning": ("1 件の警告", "{count} 件の警告"),
    },
}
# How a warning's line is marked, after its place: `file:line: warning: key: message (type)`.
WARNING_MARK = {"en": "warning:", "ja": "警告:"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file, at one line and key."""

    file: str
    line: int | None
    key: str
    code: str
    type: str
    params: dict[str, Any] = field(default_factory=dict, compare=False)
    # "warning": said, but it stops nothing (unless --strict makes it an error)
    severity: str = "error"

    def format(self, lang: str = "en") -> str:
        """The problem as one line: `file:line: key: message (type)`, a warning marked
        `file:line: warning: key: ...`."""
        params = {k: _localize(v, lang) for k, v in self.params.items()}
        message = MESSAGES[self.code].get(lang, MESSAGES[self.code]["en"]).format(**params)
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        mark = f" {WARNING_MARK.get(lang, WARNING_MARK['en'])}" if self.is_warning else ""
        key = f" {self.key}:" if self.key else ""
        return one_line(f"{where}:{mark}{key} {message} ({self.type})")

    @property
    def is_warning(self) -> bool:
        return self.severity == "warning"


@dataclass
class Warnings:
    """The warnings a check or a build found, kept apart from its problems; with strict
    (--strict), each is a problem instead, and stops the build."""

    strict: bool = False
    found: list[Problem] = field(default_factory=list)


# Control characters, which could break a problem over two lines or steer the terminal:
# a file name or a key can carry them even where the values are quoted.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """Text safe to print as one line: control characters written as \\uXXXX escapes."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True)
class Language:
    """A language code shown by its name in the message's language."""

    code: str


class Localized(dict):
    """Text in several languages ({"en": ..., "ja": ...}); a message picks its own."""


def _localize(value: Any, lang: str) -> str:
    if isinstance(value, Localized):
        return value.get(lang, value["en"])
    if isinstance(value, Language):
        return LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES["en"]).get(value.code, value.code)
    return str(value)


def missing_file(file: str) -> Problem:
    return Problem(file, None, "", "missing-file", "missing-file")


QUOTE_LIMIT = 80  # characters of a value shown in a message; a problem stays one readable line


def quote(value: Any) -> str:
    """Show a value as the author wrote it: strings in double quotes, long ones cut short."""
    if isinstance(value, str):
        if len(value) > QUOTE_LIMIT:
            shown = json.dumps(value[: QUOTE_LIMIT - 1] + "…", ensure_ascii=False)
            return f"{shown} ({len(value)} characters)"
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    text = str(value)
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"


# Characters named in messages, where showing them would show nothing or break the line.
CHARACTER_NAMES = {
    "\t": ("a tab", "タブ文字"),
    "\n": ("a line break", "改行"),
    "\r": ("a line break", "改行"),
    "\x00": ("a NUL character", "NUL文字"),
    "\x0b": ("a vertical tab", "垂直タブ"),
    "\x0c": ("a form feed", "改ページ文字"),
    "\u3000": ("a full-width space", "全角スペース"),
    "\u00a0": ("a no-break space", "ノーブレークスペース"),
    "\ufeff": ("a byte order mark", "BOM"),
    **dict.fromkeys(
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
        ("a bidirectional control character", "文字の向きを変える制御文字"),
    ),
}


def character(char: str) -> Localized:
    """A character for messages: "=" as is; a control character or a space by its name and code."""
    named = CHARACTER_NAMES.get(char)
    if named is None and char.isprintable() and not char.isspace():
        return Localized(en=quote(char), ja=f"「{char}」")
    code = f"U+{ord(char):04X}"
    if named is None:
        category = unicodedata.category(char)
        named = {
            "Cs": ("a lone surrogate", "単独のサロゲート"),
            "Cn": ("a noncharacter", "非文字"),
            "Zs": ("a space", "空白"),
        }.get(category, ("a control character", "制御文字"))
    en, ja = named
    return Localized(en=f"{en} ({code})", ja=f"{ja}（{code}）")


# Lines printed at most, for one file and in all: a file pasted into the wrong place can
# have 100,000 problems, and the first few say what is wrong. The count says the rest.
SHOWN_PER_FILE = 20
SHOWN_IN_ALL = 200
NOT_SHOWN = {
    "file": {
        "en": "{file}: {count} more problems in this file are not shown",
        "ja": "{file}: このファイルには、ほかに{count}件の問題があります（表示していません）",
    },
    "all": {
        "en": "{count} more problems in other files are not shown",
        "ja": "ほかのファイルに、さらに{count}件の問題があります（表示していません）",
    },
}


def shown_lines(problems: list[Problem], lang: str) -> list[str]:
    """The lines printed for the problems: at most SHOWN_PER_FILE of a file, each file's rest
    counted on a line, and after SHOWN_IN_ALL lines only the count of the rest."""
    lines: list[str] = []
    by_file: dict[str, list[Problem]] = {}
    for item in problems:
        by_file.setdefault(item.file, []).append(item)
    left = 0
    for file, items in by_file.items():
        if len(lines) >= SHOWN_IN_ALL:
            left += len(items)
            continue
        lines += [item.format(lang) for item in items[:SHOWN_PER_FILE]]
        if len(items) > SHOWN_PER_FILE:
            text = NOT_SHOWN["file"].get(lang, NOT_SHOWN["file"]["en"])
            lines.append(one_line(text.format(file=file, count=f"{len(items) - SHOWN_PER_FILE:,}")))
    if left:
        text = NOT_SHOWN["all"].get(lang, NOT_SHOWN["all"]["en"])
        lines.append(text.format(count=f"{left:,}"))
    return lines


def print_problems(problems: list[Problem], lang: str) -> int:
    """Each problem (and warning) on a line of stderr (not more than shown_lines shows), then
    their count; the exit status: 1 when there is a problem, 0 when there are only
    warnings, 2 when the output folder is wrong."""
    for line in shown_lines(problems, lang):
        print(line, file=sys.stderr)
    warnings = sum(item.is_warning for item in problems)
    if problems:
        print(summary(len(problems) - warnings, lang, warnings), file=sys.stderr)
    if any(item.type in ("output-error", "environment-error") for item in problems):
        return 2  # where the site goes or how the build is run, not what content says
    return 1 if len(problems) > warnings else 0


def summary(count: int, lang: str = "en", warnings: int = 0) -> str:
    """`2 problems; nothing was written.`, or with warnings `1 problem, 2 warnings; ...`."""
    one, many = SUMMARY.get(lang, SUMMARY["en"])
    if not warnings:
        return one if count == 1 else many.format(count=f"{count:,}")
    texts = WARNINGS.get(lang, WARNINGS["en"])

    def counted(name: str, n: int) -> str:
        one, many = texts[name]
        return one if n == 1 else many.format(count=n)

    if not count:
        return texts["only"].format(warnings=counted("warning", warnings))
    return texts["with-problems"].format(
        problems=counted("problem", count), warnings=counted("warning", warnings)
    )


def message_language(requested: str | None = None) -> str:
    """`ja` when asked for, or when the user's locale is Japanese; `en` otherwise."""
    if requested:
        return requested
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(name)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"
